"""The OCR engine: RapidOCR (Apache-2.0) with the PP-OCR Chinese models shipped inside the
rapidocr-onnxruntime wheel, on onnxruntime. Nothing is downloaded at run time.

One engine per process, loaded on first use (about 2 s), on one thread: a worker serves one
document at a time, and the figures in bench/ocr.py are per core.

The recogniser's own decoding keeps only the likeliest character at each place. Ours keeps the
runners-up too (`Box.alternatives`), so that a value whose check fails (an ID number's check digit)
can be mended from what the recogniser itself hesitated over instead of from guesses.
"""

import functools
import threading

import numpy as np

from tongban.ocr.reading import Box

# Detection works on the longer side limited to this many pixels: certificates are photographed
# whole, so their print is large enough at this size, and larger sizes only cost time.
DETECTION_SIDE = 960
ALTERNATIVES = 4  # candidates kept per character, the read one included
DOUBT = 0.98  # a character read more surely than this leaves no runner-up worth keeping
# A repeated character the recogniser left unread (徐一一 read as 徐一: the second 一 got no frame of
# its own) still shows as this much probability of the same character one pitch further on.
REPEAT_TRACE = 0.1
_lock = threading.Lock()


class CandidateDecode:
    """Greedy CTC decoding (a character where the likeliest class changes and is not the blank),
    which also keeps, per character, the likeliest classes over the frames it spans."""

    def __init__(self, characters: list[str]):
        self.characters = characters  # index 0 is the CTC blank

    def __call__(self, preds: np.ndarray, return_word_box: bool = False, **_kwargs):
        if return_word_box:
            raise ValueError("word boxes are not used by tongban")
        return [self.line(frames) for frames in preds]

    def line(self, frames: np.ndarray) -> tuple[str, float, tuple]:
        best = frames.argmax(axis=1)
        # A character starts where the likeliest class changes to one that is not the blank.
        starts = np.flatnonzero((best != 0) & np.r_[True, best[1:] != best[:-1]])
        if not len(starts):
            return "", 0.0, ()
        first = frames[starts, best[starts]]
        text = "".join(self.characters[i] for i in best[starts])
        alternatives = [((ch, float(p)),) for ch, p in zip(text, first.tolist(), strict=True)]
        # Runners-up matter only where the read class left them room: over the frames the
        # character spans (while the likeliest class stays the same), the likeliest classes.
        doubtful = np.flatnonzero(first < DOUBT)
        if len(doubtful):
            peak = frames[starts[doubtful]].copy()
            for row, t in enumerate(starts[doubtful]):
                end = t + 1
                while end < len(best) and best[end] == best[t]:
                    end += 1
                if end > t + 1:
                    peak[row] = frames[t:end].max(axis=0)
            peak[:, 0] = 0.0  # the blank is never a character
            top = np.argpartition(peak, -ALTERNATIVES, axis=1)[:, -ALTERNATIVES:]
            chances = np.take_along_axis(peak, top, axis=1)
            for row, index in enumerate(doubtful.tolist()):
                ranked = sorted(zip(chances[row].tolist(), top[row].tolist(), strict=True))[::-1]
                alternatives[index] = tuple((self.characters[i], p) for p, i in ranked)
        text, first, alternatives = self._unread_repeats(
            frames, best, starts, text, first, alternatives
        )
        score = float(first.mean())  # as RapidOCR scores a line: the first frames
        return text, score, tuple(alternatives)

    @staticmethod
    def _pitch(starts: np.ndarray, text: str) -> float | None:
        """Frames from one Chinese character to the next on this line (they are printed evenly),
        or None when the line has too few of them to tell."""
        gaps = [
            starts[n + 1] - starts[n]
            for n in range(len(text) - 1)
            if _is_han(text[n]) and _is_han(text[n + 1])
        ]
        return float(np.median(gaps)) if len(gaps) >= 2 else None

    def _unread_repeats(self, frames, best, starts, text, first, alternatives):
        """Put back a Chinese character repeated right after itself that got no frame of its own:
        one pitch after it the frames are blank, yet the same character is the likeliest of the
        rest there with at least REPEAT_TRACE. Its low probability lowers the line's score, so a
        doubtful name is left for the person to fill in rather than offered short."""
        pitch = self._pitch(starts, text)
        if pitch is None:
            return text, first, alternatives
        chars, probs, alts = list(text), list(first.tolist()), list(alternatives)
        for n in range(len(text) - 1, -1, -1):
            if not _is_han(text[n]):
                continue
            t, cls = int(starts[n]), int(best[starts[n]])
            following = int(starts[n + 1]) if n + 1 < len(starts) else len(best)
            if following - t < 1.6 * pitch:
                continue  # the next character sits where a repeat would
            centre = round(t + pitch)
            low, high = centre - 1, centre + 2
            window = frames[low:high]
            if not len(window) or (best[low:high] != 0).any():
                continue
            others = window[:, 1:].max(axis=0)
            trace = float(others[cls - 1])
            if trace >= REPEAT_TRACE and int(others.argmax()) + 1 == cls:
                chars.insert(n + 1, text[n])
                probs.insert(n + 1, trace)
                alts.insert(n + 1, ((text[n], trace),))
        return "".join(chars), np.asarray(probs), alts


def _is_han(character: str) -> bool:
    return "\u4e00" <= character <= "\u9fff"


@functools.cache
def _engine():
    from rapidocr_onnxruntime import RapidOCR

    ocr = RapidOCR(
        det_limit_side_len=DETECTION_SIDE,
        det_limit_type="max",
        intra_op_num_threads=1,
        inter_op_num_threads=1,
        use_angle_cls=False,  # tilt up to 10° is read as it is; upside down is tried separately
        print_verbose=False,
    )
    ocr.text_rec.postprocess_op = CandidateDecode(ocr.text_rec.postprocess_op.character)
    return ocr


def read(image: np.ndarray) -> list[Box]:
    """Boxes of text in an RGB image array."""
    with _lock:  # the session is not re-entrant; threads of one process take turns
        result, _elapsed = _engine()(image[:, :, ::-1])  # RapidOCR expects BGR (OpenCV order)
    return [
        Box(text=text, score=float(score), points=points, alternatives=alternatives)
        for points, text, score, alternatives in result or []
    ]
