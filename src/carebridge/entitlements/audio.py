"""An audio reading of a checker result, for people who cannot read it or keep a web page.

The script (plain sentences in the reader's language, built by `presentation.audio_script`) is spoken by espeak-ng
with the voice for that language and encoded to MP3 by LAME, all through pipes in memory: nothing personal is
written to disk. The MP3 is kept only in memory, in the bounded cache of entitlements.pages (kit.cache).

Why MP3 (mono, 22.05 kHz, 32 kbit/s constant bit rate): it plays on every phone, old or new, in every browser and
in messaging apps, without an app to install. Ogg Opus would be about a third smaller at the same clarity, but older
iPhones and many cheap handsets cannot play it. At 32 kbit/s a three-minute reading is about 720 KB, and the constant
bit rate lets every player show the right duration and seek. docs/translating-entitlements.md lists the voices.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache

from carebridge.errors import N_, CarebridgeError

# espeak-ng voice per interface language. British English, as the deployment default is England; European
# Spanish and French. espeak-ng reads Arabic and Farsi without short vowels less well than the other languages:
# understandable, but robotic — a known limit, noted in the docs.
VOICES: dict[str, str] = {"en": "en-gb", "ar": "ar", "fa": "fa", "uk": "uk", "fr": "fr-fr", "es": "es"}
# Words per minute: slower than espeak-ng's default of 175, for people listening in a second language.
SPEED_WPM = 140
SAMPLE_RATE = 22050
BIT_RATE_KBPS = 32
MEDIA_TYPE = "audio/mpeg"
# Ample for the longest result in any language (about 4 minutes of speech takes well under a second to make).
TIMEOUT_SECONDS = 30
MAX_SCRIPT_CHARACTERS = 20_000


class AudioUnavailable(CarebridgeError):
    status_code = 503
    title = N_("The audio reading is not available right now")
    type_slug = "audio-unavailable"


def tools_available() -> bool:
    return shutil.which("espeak-ng") is not None and shutil.which("lame") is not None


@lru_cache(maxsize=1)
def available() -> bool:
    """Whether this server can make audio readings at all, checked once per process (at the first page that asks).

    The result page offers the MP3 link only when this is true and otherwise says why, so nobody follows a link
    that can only fail. `make run` installs espeak-ng and LAME (scripts/install-system-deps --runtime).
    """
    return tools_available()


def speak_to_wav(text: str, language: str) -> bytes:
    """espeak-ng's reading of `text` as WAV bytes (16-bit mono PCM at 22.05 kHz)."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise AudioUnavailable()
    voice = VOICES.get(language, VOICES["en"])
    # -b 1: the input is UTF-8; text comes on stdin so that nothing reaches the process list or the disk.
    completed = subprocess.run(  # noqa: S603 - fixed program and arguments; the text goes through stdin
        [espeak, "-v", voice, "-s", str(SPEED_WPM), "-b", "1", "--stdout"],
        input=text[:MAX_SCRIPT_CHARACTERS].encode("utf-8"),
        capture_output=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    if completed.returncode != 0 or len(completed.stdout) <= 44:
        raise AudioUnavailable()
    return with_true_sizes(completed.stdout)


def with_true_sizes(wav: bytes) -> bytes:
    """The WAV with its RIFF and data sizes set from its real length.

    espeak-ng streams to stdout, so it cannot go back to fill in the sizes and writes 0x7ffff000-ish placeholders;
    LAME would then tag the MP3 as hours long. A WAV whose chunks do not parse is refused.
    """
    if wav[:4] != b"RIFF" or wav[8:12] != b"WAVE":
        raise AudioUnavailable()
    position = 12
    while position + 8 <= len(wav):
        chunk_id = wav[position : position + 4]
        if chunk_id == b"data":
            data_size = len(wav) - position - 8
            return b"".join(
                (
                    b"RIFF",
                    (len(wav) - 8).to_bytes(4, "little"),
                    wav[8 : position + 4],
                    data_size.to_bytes(4, "little"),
                    wav[position + 8 :],
                )
            )
        chunk_size = int.from_bytes(wav[position + 4 : position + 8], "little")
        position += 8 + chunk_size + (chunk_size & 1)
    raise AudioUnavailable()


def wav_to_mp3(wav: bytes, *, title: str | None = None) -> bytes:
    lame = shutil.which("lame")
    if lame is None:
        raise AudioUnavailable()
    arguments = [lame, "--quiet", "-m", "m", "--cbr", "-b", str(BIT_RATE_KBPS), "--resample", str(SAMPLE_RATE / 1000)]
    if title:
        # A title helps people find the file again on their phone; it says nothing about them.
        arguments += ["--id3v2-only", "--id3v2-utf16", "--tt", title[:120]]
    completed = subprocess.run(  # noqa: S603 - fixed program and arguments
        [*arguments, "-", "-"], input=wav, capture_output=True, timeout=TIMEOUT_SECONDS, check=False
    )
    if completed.returncode != 0 or not completed.stdout:
        raise AudioUnavailable()
    return completed.stdout


def read_aloud(text: str, language: str, *, title: str | None = None) -> bytes:
    """The MP3 reading of `text` in `language`."""
    try:
        return wav_to_mp3(speak_to_wav(text, language), title=title)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise AudioUnavailable() from error
