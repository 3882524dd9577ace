// apm_webrtc.cc - apm.h on WebRTC's audio processing module (Debian's
// libwebrtc-audio-processing 0.3, pkg-config webrtc-audio-processing).
// C++ because the module is; nothing here throws (the module does not, and a
// failed allocation is caught at the boundary).
#include "apm.h"

#include <webrtc/modules/audio_processing/include/audio_processing.h>
#include <webrtc/modules/interface/module_common_types.h>

#include <cstdio>
#include <cstring>
#include <new>

struct apm {
	webrtc::AudioProcessing *ap;
	webrtc::AudioFrame frame;
};

extern "C" void apm_config_default(struct apm_config *c)
{
	std::memset(c, 0, sizeof *c);
	c->highpass = 1;
	c->ns_level = 3;
	c->agc_gain_db = 9;
	c->agc_target_dbfs = 3;
}

static void say(char *err, size_t errlen, const char *what)
{
	if (err && errlen)
		std::snprintf(err, errlen, "%s", what);
}

extern "C" struct apm *apm_new(const struct apm_config *c, char *err, size_t errlen)
{
	struct apm_config d;
	if (!c) {
		apm_config_default(&d);
		c = &d;
	}
	if (c->ns_level < 0 || c->ns_level > 4 || c->agc_gain_db < -1 || c->agc_gain_db > 90 ||
	    c->agc_target_dbfs < 0 || c->agc_target_dbfs > 31) {
		say(err, errlen, "audio processing: a setting is out of range");
		return NULL;
	}
	struct apm *a = new (std::nothrow) apm;
	if (!a) {
		say(err, errlen, "audio processing: out of memory");
		return NULL;
	}
	try {
		a->ap = webrtc::AudioProcessing::Create();
	} catch (...) {
		a->ap = NULL;
	}
	if (!a->ap) {
		delete a;
		say(err, errlen, "audio processing: the module cannot be made");
		return NULL;
	}
	static const webrtc::NoiseSuppression::Level levels[] = {
		webrtc::NoiseSuppression::kLow, webrtc::NoiseSuppression::kLow,
		webrtc::NoiseSuppression::kModerate, webrtc::NoiseSuppression::kHigh,
		webrtc::NoiseSuppression::kVeryHigh,
	};
	webrtc::AudioProcessing *ap = a->ap;
	int rc = ap->high_pass_filter()->Enable(c->highpass != 0);
	rc |= ap->noise_suppression()->set_level(levels[c->ns_level]);
	rc |= ap->noise_suppression()->Enable(c->ns_level > 0);
	if (c->agc_gain_db >= 0) {
		rc |= ap->gain_control()->set_mode(webrtc::GainControl::kAdaptiveDigital);
		rc |= ap->gain_control()->set_target_level_dbfs(c->agc_target_dbfs);
		rc |= ap->gain_control()->set_compression_gain_db(c->agc_gain_db);
		rc |= ap->gain_control()->enable_limiter(true);
	}
	rc |= ap->gain_control()->Enable(c->agc_gain_db >= 0);
	if (rc != 0) {
		apm_free(a);
		say(err, errlen, "audio processing: the module refused a setting");
		return NULL;
	}
	return a;
}

extern "C" void apm_free(struct apm *a)
{
	if (!a)
		return;
	delete a->ap;
	delete a;
}

extern "C" int apm_process(struct apm *a, int16_t *frame)
{
	if (!a || !frame)
		return -1;
	webrtc::AudioFrame &f = a->frame;
	f.sample_rate_hz_ = APM_RATE;
	f.num_channels_ = 1;
	f.samples_per_channel_ = APM_FRAME;
	std::memcpy(f.data_, frame, APM_FRAME * sizeof *frame);
	if (a->ap->ProcessStream(&f) != webrtc::AudioProcessing::kNoError)
		return -1;
	std::memcpy(frame, f.data_, APM_FRAME * sizeof *frame);
	return 0;
}
