"""The audio reading: espeak-ng with the right voice per language, encoded to MP3 in memory.

Checked for real: every MP3 frame header is parsed (MPEG-2 Layer III, 32 kbit/s, 22.05 kHz, mono), the frames add
up to the duration of the speech, LAME decodes the file back to a WAV of the same length, and the length is what
the number of words spoken at the configured speed would take.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import wave
from pathlib import Path

import pytest

from carebridge.entitlements import audio, presentation, service

LANGUAGES = list(audio.VOICES)
SENTENCES = {
    "en": "You can see a family doctor for free. You do not need papers to register.",
    "ar": "يمكنك زيارة طبيب العائلة مجانًا. لا تحتاج إلى أوراق للتسجيل.",
    "fa": "شما می‌توانید رایگان به پزشک خانواده مراجعه کنید. برای ثبت‌نام به مدارک نیاز ندارید.",
    "uk": "Ви можете безкоштовно звернутися до сімейного лікаря. Для реєстрації документи не потрібні.",
    "fr": "Vous pouvez voir un médecin généraliste gratuitement. Vous n'avez pas besoin de papiers.",
    "es": "Puede ver a un médico de familia gratis. No necesita papeles para registrarse.",
}


@pytest.fixture(autouse=True)
def _tools(pytestconfig):  # noqa: ANN001, ANN202
    root = pytestconfig.pluginmanager.get_plugin(str(Path(__file__).resolve().parents[1] / "conftest.py"))
    root.require("espeak-ng and lame", audio.tools_available(), "install Debian's espeak-ng and lame (`make system-deps`)")


# ---------------------------------------------------------------------------------------------------------------
# MP3, parsed by hand: the checks do not trust the encoder that made the file

BITRATES_V2_L3 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160]
SAMPLE_RATES_V2 = [22050, 24000, 16000]


def id3v2_length(data: bytes) -> int:
    if data[:3] != b"ID3":
        return 0
    size = 0
    for byte in data[6:10]:
        assert byte < 0x80, "ID3v2 sizes are synchsafe"
        size = (size << 7) | byte
    return 10 + size


def mp3_frames(data: bytes) -> list[dict]:
    """Every MPEG audio frame header, walking frame by frame from after the ID3v2 tag to the very end."""
    position = id3v2_length(data)
    frames = []
    while position < len(data):
        header = int.from_bytes(data[position : position + 4], "big")
        assert header >> 21 == 0x7FF, f"lost frame sync at byte {position}"
        version = (header >> 19) & 0b11  # 2 = MPEG-2
        layer = (header >> 17) & 0b11  # 1 = Layer III
        bitrate = BITRATES_V2_L3[(header >> 12) & 0b1111]
        sample_rate = SAMPLE_RATES_V2[(header >> 10) & 0b11]
        padding = (header >> 9) & 1
        channel_mode = (header >> 6) & 0b11  # 3 = mono
        assert version == 2 and layer == 1, f"frame at {position} is not MPEG-2 Layer III"
        length = 72 * bitrate * 1000 // sample_rate + padding
        frames.append({"bitrate": bitrate, "sample_rate": sample_rate, "mono": channel_mode == 3, "length": length})
        position += length
    assert position == len(data), "the last frame is cut short"
    return frames


def mp3_seconds(data: bytes) -> float:
    frames = mp3_frames(data)
    return len(frames) * 576 / frames[0]["sample_rate"]


def wav_seconds(data: bytes) -> float:
    with wave.open(io.BytesIO(data)) as reader:
        return reader.getnframes() / reader.getframerate()


# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_has_its_espeak_voice(language):
    listing = subprocess.run(
        ["espeak-ng", "--voices"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert audio.VOICES[language] in listing


@pytest.mark.parametrize("language", LANGUAGES)
def test_espeak_reads_a_sentence_into_a_valid_wav_of_plausible_length(language):
    wav = audio.speak_to_wav(SENTENCES[language], language)
    with wave.open(io.BytesIO(wav)) as reader:
        assert reader.getnchannels() == 1
        assert reader.getframerate() == audio.SAMPLE_RATE
        assert reader.getsampwidth() == 2
        seconds = reader.getnframes() / reader.getframerate()
    words = len(SENTENCES[language].split())
    assert words / 300 * 60 < seconds < words / 60 * 60, seconds


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_mp3_is_valid_compact_and_as_long_as_the_speech(language, tmp_path):
    wav = audio.speak_to_wav(SENTENCES[language], language)
    mp3 = audio.wav_to_mp3(wav, title="Carebridge")
    frames = mp3_frames(mp3)
    assert {frame["bitrate"] for frame in frames} == {audio.BIT_RATE_KBPS}
    assert {frame["sample_rate"] for frame in frames} == {audio.SAMPLE_RATE}
    assert all(frame["mono"] for frame in frames)
    speech = wav_seconds(wav)
    assert abs(mp3_seconds(mp3) - speech) < 0.2
    # An independent decoder pass: LAME reads the file back into a WAV of the same length.
    (tmp_path / "reading.mp3").write_bytes(mp3)
    subprocess.run(["lame", "--quiet", "--decode", str(tmp_path / "reading.mp3"), str(tmp_path / "back.wav")], check=True)
    assert abs(wav_seconds((tmp_path / "back.wav").read_bytes()) - speech) < 0.2
    # 32 kbit/s: about 4 KB a second, plus a small tag.
    assert len(mp3) < speech * 4000 + 2000


def test_the_id3_title_is_readable_in_any_script():
    mp3 = audio.read_aloud(SENTENCES["ar"], "ar", title="ما الرعاية التي يمكنك الحصول عليها")
    tag = mp3[: id3v2_length(mp3)]
    assert b"TIT2" in tag
    assert "ما الرعاية".encode("utf-16-le") in tag


def claimed_lengths(mp3: bytes) -> list[float]:
    """Every length the file states about itself, in seconds: an ID3 TLEN frame, a Xing/Info frame count."""
    claims = []
    tag = mp3[: id3v2_length(mp3)]
    if b"TLEN" in tag:
        start = tag.index(b"TLEN") + 10
        size = int.from_bytes(tag[start - 6 : start - 2], "big")
        claims.append(int(tag[start + 1 : start + size].decode("latin-1").strip("\x00")) / 1000)
    first = mp3[id3v2_length(mp3) : id3v2_length(mp3) + 200]
    for marker in (b"Xing", b"Info"):
        if marker in first:
            at = first.index(marker)
            if int.from_bytes(first[at + 4 : at + 8], "big") & 1:
                claims.append(int.from_bytes(first[at + 8 : at + 12], "big") * 576 / audio.SAMPLE_RATE)
    return claims


def test_the_length_a_player_shows_is_the_real_length_not_espeaks_placeholder(tmp_path):
    """espeak-ng writes placeholder sizes when it streams; uncorrected, players would call a minute 'hours'.

    A player takes the length from a tag if there is one, else (constant bit rate) from the file size. All of them
    are measured here, and each is compared with the speech: the count of measures proves the checks ran."""
    raw = subprocess.run(["espeak-ng", "-v", "en-gb", "--stdout"], input=SENTENCES["en"].encode(),
                         capture_output=True, check=True).stdout
    assert int.from_bytes(raw[4:8], "little") != len(raw) - 8  # espeak-ng's placeholder: what is being fixed
    wav = audio.speak_to_wav(SENTENCES["en"], "en")
    speech = wav_seconds(wav)
    assert int.from_bytes(wav[4:8], "little") == len(wav) - 8 and speech > 2
    mp3 = audio.wav_to_mp3(wav, title="Carebridge")
    (tmp_path / "reading.mp3").write_bytes(mp3)
    subprocess.run(["lame", "--quiet", "--decode", str(tmp_path / "reading.mp3"), str(tmp_path / "back.wav")],
                   check=True)
    measured = [
        (len(mp3) - id3v2_length(mp3)) * 8 / (audio.BIT_RATE_KBPS * 1000),  # a CBR player's estimate from the size
        mp3_seconds(mp3),  # the frames
        wav_seconds((tmp_path / "back.wav").read_bytes()),  # decoded
        *claimed_lengths(mp3),  # whatever the file says about itself
    ]
    assert len(measured) >= 3
    for seconds in measured:
        assert abs(seconds - speech) < 0.2, (measured, speech)


def test_wav_sizes_are_set_from_the_real_length():
    wav = audio.speak_to_wav("Hello.", "en")
    broken = wav[:4] + (0x7FFFF000).to_bytes(4, "little") + wav[8:40] + (0x7FFFF000).to_bytes(4, "little") + wav[44:]
    fixed = audio.with_true_sizes(broken)
    assert int.from_bytes(fixed[4:8], "little") == len(fixed) - 8
    assert wav_seconds(fixed) == wav_seconds(wav)


@pytest.mark.parametrize("data", [b"", b"RIFF", b"not a wav at all, just text", b"RIFF\x00\x00\x00\x00WAVEjunk\xff\xff\xff\x7f"])
def test_something_that_is_not_a_wav_is_refused(data):
    with pytest.raises(audio.AudioUnavailable):
        audio.with_true_sizes(data)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_reading_of_a_whole_result_is_valid_audio_of_plausible_length(language):
    rulebook = service.get_rulebook("GB-ENG")
    answers = presentation.Answers.from_query(
        {"jurisdiction": "GB-ENG", "status": "undocumented", "age": "34", "pregnant": "yes", "trafficking_victim": "no",
         "torture_or_violence_survivor": "no"}
    )
    view = presentation.present(rulebook, answers, language)
    script = presentation.audio_script(view)
    assert "http" not in script
    mp3 = audio.read_aloud(script, language)
    seconds = mp3_seconds(mp3)
    words = len(script.split())
    # espeak-ng speaks at about SPEED_WPM words a minute, with pauses between paragraphs; languages differ.
    assert words / (audio.SPEED_WPM * 2) * 60 < seconds < words / (audio.SPEED_WPM / 2.5) * 60, (words, seconds)
    assert seconds < 8 * 60


def test_without_espeak_the_page_says_the_reading_is_not_available(client, monkeypatch):
    monkeypatch.setattr(audio.shutil, "which", lambda name: None)
    response = client.get(
        presentation.AUDIO_PATH, params={"lang": "en", "jurisdiction": "GB-ENG", "status": "undocumented", "age": "30"}
    )
    assert response.status_code == 503
    assert "The audio reading is not available right now" in response.text


def test_nothing_is_written_to_disk(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    audio.read_aloud(SENTENCES["en"], "en", title="Carebridge")
    assert list(tmp_path.iterdir()) == []
    assert shutil.which("espeak-ng")


# ---------------------------------------------------------------------------------------------------------------
# Emergency numbers, read the way they are dialled

def phonemes(text: str, language: str) -> str:
    """espeak-ng's phonemes for `text` in the voice of `language` (what it will say, without making audio)."""
    completed = subprocess.run(["espeak-ng", "-v", audio.VOICES[language], "-q", "-x", "-b", "1"],
                               input=text.encode("utf-8"), capture_output=True, check=True)
    return " ".join(completed.stdout.decode("utf-8").split())


@pytest.mark.parametrize("language", ["en", "ar", "fa"])
@pytest.mark.parametrize("number", ["112", "999", "116 117"])
def test_espeak_reads_an_emergency_number_digit_by_digit(language, number):
    """Written whole, espeak-ng says "112" as "one hundred and twelve" (and its Arabic and Persian equivalents); the
    script writes the digits apart, and espeak-ng then says exactly the digits, one after another."""
    spoken = presentation.spoken_number(number)
    digits = [char for char in number if char.isdigit()]
    one_by_one = " ".join(phonemes(digit, language) for digit in digits)
    assert phonemes(spoken, language).replace(",", "") == one_by_one.replace(",", "")
    assert phonemes(number, language) != one_by_one  # why: the number written whole is read as a quantity
