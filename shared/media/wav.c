/*
 * wav.c - audio file input and WAV output on libsndfile (see wav.h).
 *
 * Reading goes through float: libsndfile converts every sample format to float in
 * [-1, 1], we average the channels of each frame, clip and scale to int16, then
 * resample the whole buffer once.  Errors are checked before libsndfile sees the
 * file (missing, not a regular file, zero bytes) so the message names the real
 * problem instead of libsndfile's generic one.
 */
#include "wav.h"
#include "resample.h"

#include <errno.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define READ_CHUNK 4096 /* frames per sf_readf_float call */

struct wav_writer {
	SNDFILE *sf;
	size_t samples;
};

static void set_err(char *err, size_t errlen, const char *path, const char *why)
{
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", path ? path : "(null)", why);
}

static int16_t to_int16(float v)
{
	float s = v * 32768.0f;

	if (!(s == s))
		return 0; /* NaN */
	if (s > 32767.0f)
		return 32767;
	if (s < -32768.0f)
		return -32768;
	return (int16_t)lrintf(s);
}

/* Checks the path before libsndfile does, for clearer messages. */
static int precheck(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		set_err(err, errlen, path, errno == ENOENT ? "no such file" : strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		set_err(err, errlen, path, "is a directory, not an audio file");
		return -1;
	}
	if (S_ISREG(st.st_mode) && st.st_size == 0) {
		set_err(err, errlen, path, "empty");
		return -1;
	}
	return 0;
}

/* Reads all frames of sf, mixing channels down, into a new int16 buffer. */
static int read_mixed(SNDFILE *sf, const SF_INFO *info, int16_t **pcm, size_t *n)
{
	size_t ch = (size_t)info->channels, total = 0, cap = (size_t)info->frames;
	float *buf = malloc(READ_CHUNK * ch * sizeof *buf);
	int16_t *out = malloc((cap ? cap : 1) * sizeof *out);
	sf_count_t got;

	if (!buf || !out)
		goto fail;
	while ((got = sf_readf_float(sf, buf, READ_CHUNK)) > 0) {
		for (sf_count_t i = 0; i < got; i++) {
			float sum = 0.0f;

			if (total == cap)
				goto done; /* never read past the frame count we sized for */
			for (size_t c = 0; c < ch; c++)
				sum += buf[(size_t)i * ch + c];
			out[total++] = to_int16(sum / (float)ch);
		}
	}
done:
	free(buf);
	*pcm = out;
	*n = total;
	return 0;
fail:
	free(buf);
	free(out);
	return -1;
}

int wav_read_mono16(const char *path, int target_rate, int16_t **pcm, size_t *n,
		    char *err, size_t errlen)
{
	SF_INFO info;
	SNDFILE *sf;
	int16_t *mono = NULL, *res = NULL;
	size_t nmono = 0, nres = 0;
	int rc;

	if (!path || !pcm || !n || target_rate <= 0) {
		set_err(err, errlen, path, "bad arguments");
		return -1;
	}
	if (precheck(path, err, errlen) != 0)
		return -1;
	memset(&info, 0, sizeof info);
	sf = sf_open(path, SFM_READ, &info);
	if (!sf) {
		rc = sf_error(NULL);
		set_err(err, errlen, path, rc == SF_ERR_UNRECOGNISED_FORMAT || rc == SF_ERR_MALFORMED_FILE
			? "not a WAV/audio file" : sf_error_number(rc));
		return -1;
	}
	if (info.channels < 1 || info.samplerate < 1 || info.frames < 0) {
		set_err(err, errlen, path, "not a WAV/audio file (bad header)");
		sf_close(sf);
		return -1;
	}
	if (info.frames == 0) {
		set_err(err, errlen, path, "empty (no audio in the file)");
		sf_close(sf);
		return -1;
	}
	if (info.frames / info.samplerate > WAV_MAX_SECONDS) {
		set_err(err, errlen, path, "too long (over 600 s)");
		sf_close(sf);
		return -1;
	}
	rc = read_mixed(sf, &info, &mono, &nmono);
	sf_close(sf);
	if (rc != 0) {
		set_err(err, errlen, path, "out of memory");
		return -1;
	}
	if (nmono == 0) {
		free(mono);
		set_err(err, errlen, path, "empty (no readable audio)");
		return -1;
	}
	if (info.samplerate == target_rate) {
		*pcm = mono;
		*n = nmono;
		return 0;
	}
	rc = resample_oneshot(info.samplerate, target_rate, RESAMPLE_QUALITY_DEFAULT,
			      mono, nmono, &res, &nres);
	free(mono);
	if (rc != 0) {
		set_err(err, errlen, path, "cannot resample to the wanted rate");
		return -1;
	}
	*pcm = res;
	*n = nres;
	return 0;
}

struct wav_writer *wav_writer_open(const char *path, int rate, char *err, size_t errlen)
{
	SF_INFO info;
	struct wav_writer *w;

	if (!path || rate <= 0) {
		set_err(err, errlen, path, "bad arguments");
		return NULL;
	}
	w = calloc(1, sizeof *w);
	if (!w) {
		set_err(err, errlen, path, "out of memory");
		return NULL;
	}
	memset(&info, 0, sizeof info);
	info.samplerate = rate;
	info.channels = 1;
	info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
	w->sf = sf_open(path, SFM_WRITE, &info);
	if (!w->sf) {
		set_err(err, errlen, path, sf_strerror(NULL));
		free(w);
		return NULL;
	}
	return w;
}

int wav_writer_write(struct wav_writer *w, const int16_t *pcm, size_t n)
{
	if (!w || (n && !pcm))
		return -1;
	if (n == 0)
		return 0;
	if (sf_write_short(w->sf, pcm, (sf_count_t)n) != (sf_count_t)n)
		return -1;
	w->samples += n;
	return 0;
}

size_t wav_writer_samples(const struct wav_writer *w)
{
	return w ? w->samples : 0;
}

int wav_writer_close(struct wav_writer *w)
{
	int rc;

	if (!w)
		return 0;
	sf_write_sync(w->sf);
	rc = sf_close(w->sf);
	free(w);
	return rc == 0 ? 0 : -1;
}
