"""The classifier: TF-IDF over character n-grams and a linear model (scikit-learn).

Chinese complaint texts are short and unsegmented; character 1–3-grams need no tokenizer and
carry the words ("井盖", "拖欠工资") and their variants. The model predicts the category leaf; the
department follows from the routing rules. Models are versioned files in the data directory
(classifier/v0001.joblib with its metadata in v0001.json); the newest is loaded once per process.
`train()` uses the repository corpus plus the dispatchers' corrections and reports the accuracy on a
held-out split that the model never saw.
"""

import json
import threading
from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy as np
from django.utils import timezone

from tongban.workorders import conf, corpus
from tongban.workorders.taxonomy import leaves

HELD_OUT_SHARE = 0.2
CORRECTION_WEIGHT = 3  # a person's correction counts like three generated examples
_lock = threading.Lock()
_loaded: dict = {}


def model_dir() -> Path:
    path = conf.model_dir()
    path.mkdir(parents=True, exist_ok=True)
    return path


def threshold() -> float:
    return conf.confidence_threshold()


@dataclass(frozen=True)
class Prediction:
    category_code: str
    confidence: float
    version: str
    alternatives: tuple[tuple[str, float], ...] = ()

    @property
    def confident(self) -> bool:
        return self.confidence >= threshold()


@dataclass(frozen=True)
class TrainingReport:
    version: str
    examples: int
    corrections: int
    held_out: int
    category_accuracy: float
    department_accuracy: float
    path: Path


def _versions() -> list[Path]:
    return sorted(model_dir().glob("v[0-9][0-9][0-9][0-9].joblib"))


def current_version() -> str | None:
    files = _versions()
    return files[-1].stem if files else None


def _model():
    """The newest model, loaded once per process (and again only after this process retrains)."""
    if "pipeline" in _loaded:
        return _loaded["pipeline"], _loaded["version"]
    with _lock:
        if "pipeline" not in _loaded:
            version = current_version()
            if version is None:
                return None, None
            _keep(joblib.load(model_dir() / f"{version}.joblib"), version)
    return _loaded["pipeline"], _loaded["version"]


def _keep(pipeline, version: str) -> None:
    """Keep the model with its weights transposed once: scikit-learn multiplies by coef_.T, a
    Fortran-ordered view that scipy copies (10 MB) on every call — 7 ms of each prediction."""
    linear = pipeline.steps[-1][1]
    _loaded["weights"] = np.ascontiguousarray(linear.coef_.T)
    _loaded["intercept"] = linear.intercept_
    _loaded["pipeline"], _loaded["version"] = pipeline, version


def _probabilities(pipeline, text: str):
    """What SGDClassifier(loss="log_loss").predict_proba gives (one-vs-rest logistic scores,
    normalised to sum to 1), computed with the kept weights."""
    features = pipeline.steps[0][1].transform([text])
    scores = np.asarray(features @ _loaded["weights"]).ravel() + _loaded["intercept"]
    probabilities = 1 / (1 + np.exp(-scores))
    return probabilities / probabilities.sum()


def forget_loaded_model() -> None:
    _loaded.clear()


def predict(text: str) -> Prediction | None:
    """The suggested category leaf with its probability, or None when no model has been trained."""
    pipeline, version = _model()
    if pipeline is None:
        return None
    probabilities = _probabilities(pipeline, text)
    classes = pipeline.classes_
    ranked = sorted(zip(classes, probabilities, strict=True), key=lambda p: -p[1])[:3]
    best_code, best = ranked[0]
    return Prediction(
        str(best_code),
        round(float(best), 4),
        version,
        tuple((str(c), round(float(p), 4)) for c, p in ranked[1:]),
    )


def _pipeline():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import SGDClassifier
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2),
        SGDClassifier(loss="log_loss", alpha=2e-6, max_iter=30, tol=1e-4, random_state=7),
    )


def department_of_leaf() -> dict[str, str]:
    return {code: department for *_g, code, _n, department, _t, _p in leaves()}


def train(
    rows: list[tuple[str, str]] | None = None,
    corrections: list[tuple[str, str]] | None = None,
) -> TrainingReport:
    """Fit on the corpus (minus the held-out split) plus corrections, measure, save a new version."""
    from sklearn.model_selection import train_test_split

    rows = corpus.read() if rows is None else rows
    corrections = corrections or []
    texts, labels = [t for t, _ in rows], [c for _, c in rows]
    train_x, test_x, train_y, test_y = train_test_split(
        texts, labels, test_size=HELD_OUT_SHARE, random_state=42, stratify=labels
    )
    for text, code in corrections:
        train_x += [text] * CORRECTION_WEIGHT
        train_y += [code] * CORRECTION_WEIGHT
    pipeline = _pipeline().fit(train_x, train_y)
    predicted = pipeline.predict(test_x)
    departments = department_of_leaf()
    category_hits = sum(p == t for p, t in zip(predicted, test_y, strict=True))
    department_hits = sum(
        departments.get(p) == departments.get(t) for p, t in zip(predicted, test_y, strict=True)
    )
    version = _next_version()
    path = model_dir() / f"{version}.joblib"
    joblib.dump(pipeline, path, compress=3)
    report = TrainingReport(
        version=version,
        examples=len(train_x),
        corrections=len(corrections),
        held_out=len(test_x),
        category_accuracy=category_hits / len(test_y),
        department_accuracy=department_hits / len(test_y),
        path=path,
    )
    meta = {
        "version": version,
        "trained_at": timezone.now().isoformat(),
        "examples": report.examples,
        "corrections": report.corrections,
        "held_out": report.held_out,
        "category_accuracy": report.category_accuracy,
        "department_accuracy": report.department_accuracy,
    }
    (model_dir() / f"{version}.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1))
    with _lock:
        _loaded.clear()
        _keep(pipeline, version)
    return report


def _next_version() -> str:
    version = current_version()
    number = int(version[1:]) + 1 if version else 1
    return f"v{number:04d}"


def metadata(version: str | None = None) -> dict:
    version = version or current_version()
    if version is None:
        return {}
    path = model_dir() / f"{version}.json"
    return json.loads(path.read_text()) if path.exists() else {"version": version}
