"""The OCR engine: RapidOCR (Apache-2.0) with the PP-OCR Chinese models shipped inside the
rapidocr-onnxruntime wheel, on onnxruntime. Nothing is downloaded at run time.

One engine per process, loaded on first use (about 2 s), on one thread: a worker serves one
document at a time, and the figures in bench/ocr.py are per core.
"""

import functools
import threading

import numpy as np

from tongban.ocr.reading import Box

# Detection works on the longer side limited to this many pixels: certificates are photographed
# whole, so their print is large enough at this size, and larger sizes only cost time.
DETECTION_SIDE = 960
_lock = threading.Lock()


@functools.cache
def _engine():
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR(
        det_limit_side_len=DETECTION_SIDE,
        det_limit_type="max",
        intra_op_num_threads=1,
        inter_op_num_threads=1,
        use_angle_cls=False,  # tilt up to 10° is read as it is; upside down is tried separately
        print_verbose=False,
    )


def read(image: np.ndarray) -> list[Box]:
    """Boxes of text in an RGB image array."""
    with _lock:  # the session is not re-entrant; threads of one process take turns
        result, _elapsed = _engine()(image[:, :, ::-1])  # RapidOCR expects BGR (OpenCV order)
    return [
        Box(text=text, score=float(score), points=points) for points, text, score in result or []
    ]
