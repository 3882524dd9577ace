// apm_filter.cc - runs a 16 kHz mono 16-bit WAV through WebRTC's audio processing
// module (Debian's libwebrtc-audio-processing, 0.3): high-pass filter, noise
// suppression, adaptive digital gain with its limiter.  A measuring tool only (issue
// 11: speexdsp's preprocessor in server/voice/clean.c against WebRTC's), used by
// tests/bench/voice_apm_compare.sh.  The server's own use of the module is
// server/voice/apm_webrtc.cc.
//
//   apm_filter [--ns off|low|moderate|high|veryhigh] [--agc on|off] in.wav out.wav
//
// Build: g++ -O2 $(pkg-config --cflags webrtc-audio-processing) apm_filter.cc
//            $(pkg-config --libs webrtc-audio-processing)
#include <webrtc/modules/audio_processing/include/audio_processing.h>
#include <webrtc/modules/interface/module_common_types.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cstdint>
#include <vector>

static int fail(const char *what)
{
	std::fprintf(stderr, "apm_filter: %s\n", what);
	return 1;
}

// The samples of a canonical 16-bit mono WAV; returns its rate or 0.
static int read_wav(const char *path, std::vector<int16_t> &out)
{
	FILE *f = std::fopen(path, "rb");
	if (!f)
		return 0;
	unsigned char h[12];
	int rate = 0, ok = std::fread(h, 1, 12, f) == 12 && !std::memcmp(h, "RIFF", 4) &&
			   !std::memcmp(h + 8, "WAVE", 4);
	while (ok) {
		unsigned char ch[8];
		if (std::fread(ch, 1, 8, f) != 8)
			break;
		uint32_t len = ch[4] | ch[5] << 8 | ch[6] << 16 | (uint32_t)ch[7] << 24;
		if (!std::memcmp(ch, "fmt ", 4)) {
			std::vector<unsigned char> fmt(len);
			if (std::fread(fmt.data(), 1, len, f) != len || len < 16)
				break;
			int channels = fmt[2] | fmt[3] << 8, bits = fmt[14] | fmt[15] << 8;
			rate = fmt[4] | fmt[5] << 8 | fmt[6] << 16;
			if (channels != 1 || bits != 16)
				break;
		} else if (!std::memcmp(ch, "data", 4)) {
			out.resize(len / 2);
			size_t got = std::fread(out.data(), 2, out.size(), f);
			out.resize(got);
			std::fclose(f);
			return rate;
		} else {
			std::fseek(f, len + (len & 1), SEEK_CUR);
		}
	}
	std::fclose(f);
	return 0;
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24;
}

static int write_wav(const char *path, const std::vector<int16_t> &s, int rate)
{
	unsigned char h[44] = { 'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'A', 'V', 'E', 'f', 'm', 't', ' ',
				16, 0, 0, 0, 1, 0, 1, 0 };
	put32(h + 4, 36 + s.size() * 2);
	put32(h + 24, rate);
	put32(h + 28, rate * 2);
	h[32] = 2; h[34] = 16;
	std::memcpy(h + 36, "data", 4);
	put32(h + 40, s.size() * 2);
	FILE *f = std::fopen(path, "wb");
	if (!f)
		return -1;
	int ok = std::fwrite(h, 1, 44, f) == 44 && std::fwrite(s.data(), 2, s.size(), f) == s.size();
	return std::fclose(f) == 0 && ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	webrtc::NoiseSuppression::Level level = webrtc::NoiseSuppression::kHigh;
	bool ns = true, agc = true;
	int i = 1;
	for (; i + 1 < argc && argv[i][0] == '-' && argv[i][1] == '-'; i += 2) {
		const char *v = argv[i + 1];
		if (!std::strcmp(argv[i], "--ns")) {
			ns = std::strcmp(v, "off") != 0;
			level = !std::strcmp(v, "low") ? webrtc::NoiseSuppression::kLow :
				!std::strcmp(v, "moderate") ? webrtc::NoiseSuppression::kModerate :
				!std::strcmp(v, "veryhigh") ? webrtc::NoiseSuppression::kVeryHigh :
							       webrtc::NoiseSuppression::kHigh;
		} else if (!std::strcmp(argv[i], "--agc")) {
			agc = std::strcmp(v, "off") != 0;
		} else {
			return fail("usage: apm_filter [--ns LEVEL] [--agc on|off] in.wav out.wav");
		}
	}
	if (argc - i != 2)
		return fail("usage: apm_filter [--ns LEVEL] [--agc on|off] in.wav out.wav");
	std::vector<int16_t> pcm;
	int rate = read_wav(argv[i], pcm);
	if (rate != 16000)
		return fail("input must be 16 kHz mono 16-bit WAV");

	webrtc::AudioProcessing *apm = webrtc::AudioProcessing::Create();
	if (!apm)
		return fail("cannot create the audio processing module");
	apm->high_pass_filter()->Enable(true);
	apm->noise_suppression()->set_level(level);
	apm->noise_suppression()->Enable(ns);
	apm->gain_control()->set_mode(webrtc::GainControl::kAdaptiveDigital);
	apm->gain_control()->set_target_level_dbfs(3);
	apm->gain_control()->set_compression_gain_db(9);
	apm->gain_control()->enable_limiter(true);
	apm->gain_control()->Enable(agc);

	webrtc::AudioFrame frame;
	const size_t n = 160; // 10 ms
	std::vector<int16_t> out;
	out.reserve(pcm.size() + n);
	for (size_t at = 0; at < pcm.size(); at += n) {
		frame.sample_rate_hz_ = 16000;
		frame.num_channels_ = 1;
		frame.samples_per_channel_ = n;
		size_t k = pcm.size() - at < n ? pcm.size() - at : n;
		std::memset(frame.data_, 0, n * sizeof frame.data_[0]);
		std::memcpy(frame.data_, pcm.data() + at, k * sizeof pcm[0]);
		if (apm->ProcessStream(&frame) != 0)
			return fail("ProcessStream failed");
		out.insert(out.end(), frame.data_, frame.data_ + k);
	}
	delete apm;
	if (write_wav(argv[i + 1], out, rate) != 0)
		return fail("cannot write the output");
	return 0;
}
