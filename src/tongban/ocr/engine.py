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
        spans: list[tuple[int, int]] = []
        for t, index in enumerate(best):
            if index == 0:
                continue
            if spans and t == spans[-1][1] and best[t - 1] == index:
                spans[-1] = (spans[-1][0], t + 1)
            else:
                spans.append((t, t + 1))
        text, scores, alternatives = [], [], []
        for start, end in spans:
            peak = frames[start:end].max(axis=0)
            peak[0] = 0.0  # the blank is never a character
            top = np.argsort(peak)[::-1][:ALTERNATIVES]
            text.append(self.characters[top[0]])
            scores.append(float(frames[start, top[0]]))  # as RapidOCR scores: the first frame
            alternatives.append(tuple((self.characters[i], float(peak[i])) for i in top))
        return "".join(text), (float(np.mean(scores)) if scores else 0.0), tuple(alternatives)


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
