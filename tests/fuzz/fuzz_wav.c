/*
 * fuzz_wav.c - libFuzzer harness: audio files from outside.  The speech service's
 * answer read as WAV (server/voice/remote_tts.c, remote_tts_parse_wav: the bytes an
 * OpenAI-compatible TTS endpoint sends back) and a recording read from a file
 * (shared/media/wav.c, wav_read_mono16: `voxcart talk --file`), both through
 * libsndfile.  A file that reads must give samples that can all be read.
 */
#include "voice/remote_tts.h"
#include "wav.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int64_t sum(const int16_t *pcm, size_t n)
{
	int64_t s = 0;
	for (size_t i = 0; i < n; i++)
		s += pcm[i];
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int16_t *pcm = NULL;
	size_t n = 0;
	int rate = 0;
	char why[256];
	int64_t s = 0;
	if (remote_tts_parse_wav(data, size, &pcm, &n, &rate, why, sizeof why) == 0) {
		if ((n && !pcm) || rate <= 0)
			abort();
		s += sum(pcm, n);
		free(pcm);
	}
	static int fd = -1;
	if (fd < 0 && (fd = memfd_create("fuzz_wav", 0)) < 0)
		abort();
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	pcm = NULL;
	n = 0;
	if (wav_read_mono16(path, 16000, &pcm, &n, why, sizeof why) == 0) {
		if (!pcm)
			abort();
		s += sum(pcm, n);
		free(pcm);
	}
	return s == INT64_MIN;
}
