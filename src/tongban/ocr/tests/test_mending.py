"""An ID number that fails its check is mended from the recogniser's own alternatives, or refused."""

import numpy as np
import pytest
from stdnum.cn import ric

from tongban.core import identifiers, testdata
from tongban.ocr import kinds, reading, validators
from tongban.ocr.engine import CandidateDecode
from tongban.ocr.recognise import _checked

ID = testdata.citizen_id("411002", sequence=3)  # 411002195003010077


def _read(text: str, doubts: dict[int, list[tuple[str, float]]] | None = None) -> list[tuple]:
    """Per character: what was read (sure), or at a doubtful place the runners-up too."""
    doubts = doubts or {}
    return [
        ((ch, 0.99),) if i not in doubts else ((ch, 0.55), *doubts[i]) for i, ch in enumerate(text)
    ]


def _passes(number: str) -> bool:
    return identifiers.check_citizen_id(number).valid


def _with(number: str, place: int, digit: str) -> str:
    return number[:place] + digit + number[place + 1 :]


def _wrong_digit(number: str, place: int) -> str:
    """A digit at `place` that makes the number fail its check."""
    return next(
        d for d in "0123456789" if d != number[place] and not _passes(_with(number, place, d))
    )


def test_a_misread_digit_is_mended_from_the_recognisers_runner_up():
    wrong = _wrong_digit(ID, 15)
    read = _read(_with(ID, 15, wrong), {15: [(ID[15], 0.40), ("9", 0.03)]})
    assert validators.mend_citizen_id(read) == (ID, "")


def test_letters_read_for_digits_and_the_check_x_are_taken_as_digits():
    number = next(
        n for s in range(1, 60) if (n := testdata.citizen_id("411002", sequence=s)).endswith("X")
    )
    read = _read(number.replace("0", "O", 1)[:-1] + "×")
    assert validators.mend_citizen_id(read) == (number, "")


def test_a_digit_printed_alike_is_tried_when_the_recogniser_offers_nothing():
    number = testdata.citizen_id("411002", sequence=31)  # its 15th digit is 0
    read = _read(_with(number, 14, "8"))
    read[14] = (("8", 0.6),)  # the least confident place
    assert validators.mend_citizen_id(read) == (number, "")


def test_an_uncorrectable_read_is_refused_with_the_reason_never_offered():
    read = _with(_with(ID, 12, _wrong_digit(ID, 12)), 15, "9")
    value, problem = validators.mend_citizen_id(_read(read))
    assert value == "" and problem.startswith("身份证号码未通过校验")


def test_two_rival_corrections_are_refused():
    read, place, digit = next(
        (read, place, d)
        for wrong in "0123456789"
        if not _passes(read := _with(ID, 15, wrong))
        for place in (14, 16)
        for d in "0123456789"
        if d != read[place] and _passes(_with(read, place, d))
    )
    doubts = {15: [(ID[15], 0.4)], place: [(digit, 0.4)]}
    value, problem = validators.mend_citizen_id(_read(read, doubts))
    assert value == "" and "不止一种" in problem


def test_a_correction_must_give_a_real_birth_date():
    body = "41100219501301007"  # month 13
    impossible = body + ric.calc_check_digit(body + "0")
    read = _with(impossible, 10, "0")  # read as March: the check digit then fails
    assert not _passes(read)
    value, problem = validators.mend_citizen_id(_read(read, {10: [("1", 0.45)]}))
    assert value == "" and problem.startswith("身份证号码未通过校验")


def test_a_read_that_is_not_eighteen_long_is_refused():
    value, problem = validators.mend_citizen_id(_read(ID[:17]))
    assert value == "" and "当前为17位" in problem


def test_the_card_offers_the_mended_number_through_its_labels():
    wrong = _wrong_digit(ID, 16)
    text = f"姓名 王小明\n公民身份号码 {_with(ID, 16, wrong)}"
    alternatives = [()] * len(text)
    alternatives[text.index("码") + 2 + 16] = ((wrong, 0.6), (ID[16], 0.35))
    stream = reading.Stream(text, [0.99] * len(text), alternatives)
    fields = _checked(kinds.get("id_card_front"), stream)
    assert fields["id_number"].value == ID and not fields["id_number"].problem
    assert fields["id_number"].mended and not fields["name"].mended


def test_the_decoder_keeps_the_runners_up_of_each_character():
    characters = ["blank", "1", "7", "0", " "]
    frames = np.array(
        [
            [0.0, 0.9, 0.1, 0.0, 0.0],  # "1"
            [0.0, 0.8, 0.2, 0.0, 0.0],  # still the same "1"
            [1.0, 0.0, 0.0, 0.0, 0.0],  # blank
            [0.0, 0.5, 0.45, 0.05, 0.0],  # a second "1", nearly a "7"
            [0.0, 0.0, 0.0, 1.0, 0.0],  # "0"
        ]
    )
    text, score, alternatives = CandidateDecode(characters).line(frames)
    assert text == "110"
    assert [a[0] for a in alternatives[1][:2]] == ["1", "7"]
    assert alternatives[1][1][1] == 0.45
    assert round(score, 2) == round((0.9 + 0.5 + 1.0) / 3, 2)


def _line(characters: list[str], reads: dict[int, tuple[str, float]], length: int, trace=None):
    """Recogniser frames: blank everywhere but at `reads` (frame → (character, probability));
    `trace` (frame, character, probability) adds a faint second class to a blank frame."""
    frames = np.zeros((length, len(characters)))
    frames[:, 0] = 1.0
    for t, (ch, p) in reads.items():
        frames[t, :] = 0.0
        frames[t, characters.index(ch)] = p
        frames[t, 0] = 1 - p
    if trace:
        t, ch, p = trace
        frames[t, characters.index(ch)] = p
        frames[t, 0] = 1 - p
    return frames


NAME_LINE = {3: ("姓", 0.99), 7: ("名", 0.99), 16: ("徐", 0.99), 20: ("一", 0.96)}


def test_a_repeated_character_that_got_no_frame_is_put_back_from_its_trace():
    """徐一一 read as 徐一: the second 一 has no frame of its own, but one pitch (4 frames) after
    the first its probability rises above the other characters'."""
    characters = ["blank", "姓", "名", "徐", "一", "—"]
    frames = _line(characters, NAME_LINE, 40, trace=(24, "一", 0.22))
    text, score, alternatives = CandidateDecode(characters).line(frames)
    assert text == "姓名徐一一"
    assert alternatives[4] == (("一", 0.22),)
    assert score < 0.9  # the put-back character is doubtful: the line's score says so


def test_no_repeat_is_invented_without_a_trace_or_where_the_next_character_stands():
    characters = ["blank", "姓", "名", "徐", "一", "—"]
    decode = CandidateDecode(characters)
    assert decode.line(_line(characters, NAME_LINE, 40))[0] == "姓名徐一"
    faint = _line(characters, NAME_LINE, 40, trace=(24, "一", 0.05))
    assert decode.line(faint)[0] == "姓名徐一"
    other = _line(characters, NAME_LINE, 40, trace=(24, "—", 0.3))  # another class's trace
    assert decode.line(other)[0] == "姓名徐一"
    close = _line(characters, {**NAME_LINE, 24: ("名", 0.99)}, 40, trace=(23, "一", 0.3))
    assert decode.line(close)[0] == "姓名徐一名"  # a character already stands one pitch on


def _name(text: str, first: tuple[tuple[str, float], ...] | None = None) -> list[tuple]:
    read = [((ch, 0.99),) for ch in text]
    if first:
        read[0] = first
    return read


def test_a_doubted_uncommon_surname_becomes_the_common_runner_up():
    read = _name("汪小明", (("汪", 0.99),))
    assert validators.mend_person_name("汪小明", read) == ("汪小明", "")
    doubted = _name("注小明", (("注", 0.62), ("汪", 0.31)))
    assert validators.mend_person_name("注小明", doubted) == ("汪小明", "")


def test_a_rare_surname_read_with_confidence_stays_as_read():
    read = _name("欧阳娜", (("欧", 0.98), ("殴", 0.01)))
    assert validators.mend_person_name("欧阳娜", read) == ("欧阳娜", "")
    rare = _name("鞠晓", (("鞠", 0.97), ("陈", 0.02)))
    assert validators.mend_person_name("鞠晓", rare) == ("鞠晓", "")
    unsure_without_rival = _name("鞠晓", (("鞠", 0.6), ("鞘", 0.3)))
    assert validators.mend_person_name("鞠晓", unsure_without_rival) == ("鞠晓", "")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("“王小明。", ("王小明", "")),
        ("王小明 1", ("王小明", "")),
        ("买买提•艾力", ("买买提·艾力", "")),
        ("王", ("", "姓名应为2至6个汉字")),
        ("12", ("", "姓名应为2至6个汉字")),
        ("王小明明明明明", ("", "姓名应为2至6个汉字")),
    ],
)
def test_specks_around_a_name_are_dropped_and_bad_names_refused(raw, expected):
    assert validators.person_name(raw) == expected
    assert validators.mend_person_name(raw, _name(raw)) == expected


def test_the_card_offers_the_mended_surname_through_its_labels():
    text = "姓名 注小明\n公民身份号码 " + ID
    alternatives = [()] * len(text)
    alternatives[3] = (("注", 0.7), ("汪", 0.25))
    fields = _checked(
        kinds.get("id_card_front"), reading.Stream(text, [0.99] * len(text), alternatives)
    )
    assert fields["name"].value == "汪小明" and fields["id_number"].value == ID
