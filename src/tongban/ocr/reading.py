"""From OCR boxes to fields: boxes are put in reading order (rows, top to bottom, left to right,
allowing for a tilted photo), then each printed label takes the text up to the next label.

Every character keeps the confidence of the box it came from, so a value's confidence is the lowest
of the boxes it was read from, and the recogniser's alternatives for it (best first, the read
character included), so that a check that fails can try what the recogniser hesitated over.
"""

import math
import re
import statistics
from dataclasses import dataclass

from tongban.ocr.kinds import DocumentKind


@dataclass
class Box:
    text: str
    score: float
    points: list  # four [x, y] corners, clockwise from top left
    # Per character of text: ((character, probability), ...) best first; empty if not known.
    alternatives: tuple = ()

    @property
    def centre(self) -> tuple[float, float]:
        return (
            sum(p[0] for p in self.points) / 4,
            sum(p[1] for p in self.points) / 4,
        )

    @property
    def height(self) -> float:
        (x0, y0), _, _, (x3, y3) = self.points[:4]
        return max(1.0, math.hypot(x3 - x0, y3 - y0))

    @property
    def angle(self) -> float:
        (x0, y0), (x1, y1) = self.points[0], self.points[1]
        return math.atan2(y1 - y0, x1 - x0)


@dataclass
class Stream:
    """The document's text in reading order, one confidence per character."""

    text: str
    scores: list[float]
    alternatives: list[tuple] | None = None  # per character, as Box.alternatives

    def candidates(self, start: int, end: int) -> list[tuple]:
        """Per character of text[start:end], its alternatives (the character alone if none)."""
        known = self.alternatives or [()] * len(self.text)
        return [
            alts or ((ch, score),)
            for ch, score, alts in zip(
                self.text[start:end], self.scores[start:end], known[start:end], strict=True
            )
        ]

    def confidence(self, start: int, end: int) -> float:
        chosen = [
            s
            for s, ch in zip(self.scores[start:end], self.text[start:end], strict=True)
            if ch.strip()
        ]
        return min(chosen) if chosen else 0.0


def _skew(boxes: list[Box]) -> float:
    wide = [b.angle for b in boxes if len(b.text) >= 4]
    return statistics.median(wide) if wide else 0.0


def rows(boxes: list[Box]) -> list[list[Box]]:
    """Group boxes into printed rows, measured along the document's own tilt."""
    if not boxes:
        return []
    angle = _skew(boxes)
    cos, sin = math.cos(-angle), math.sin(-angle)

    def upright(box: Box) -> tuple[float, float]:
        x, y = box.centre
        return x * cos - y * sin, x * sin + y * cos

    placed = sorted(((upright(b), b) for b in boxes), key=lambda item: item[0][1])
    grouped: list[list[tuple[tuple[float, float], Box]]] = []
    for pos, box in placed:
        row = grouped[-1] if grouped else None
        if row and abs(pos[1] - statistics.mean(p[1] for p, _ in row)) < 0.5 * box.height:
            row.append((pos, box))
        else:
            grouped.append([(pos, box)])
    return [[b for _, b in sorted(row, key=lambda item: item[0][0])] for row in grouped]


def stream_of(boxes: list[Box]) -> Stream:
    text, scores, alternatives = [], [], []
    for row in rows(boxes):
        for box in row:
            text.append(box.text + " ")
            scores.extend([box.score] * len(box.text) + [1.0])
            known = box.alternatives if len(box.alternatives) == len(box.text) else ()
            alternatives.extend([*(known or [()] * len(box.text)), ()])
        text.append("\n")
        scores.append(1.0)
        alternatives.append(())
    return Stream("".join(text), scores, alternatives)


def stream_of_text(text: str, score: float = 1.0) -> Stream:
    """A PDF's text layer: already in reading order, and exact."""
    return Stream(text, [score] * len(text))


def _label_regex(label: str) -> str:
    # OCR may put spaces between the characters of a spaced-out label (姓　名).
    return r"\s*".join(re.escape(ch) for ch in label)


@dataclass
class Found:
    raw: str
    confidence: float
    candidates: list[tuple] | None = None  # per character of the unstripped text, as Stream


def labelled_values(kind: DocumentKind, stream: Stream) -> dict[str, Found]:
    """Each field's raw text: from the end of its printed label to the start of the next label."""
    labels: list[tuple[str, str | None]] = [(p, f.name) for f in kind.fields for p in f.printed]
    labels += [(p, None) for p in kind.stop_labels]
    labels.sort(key=lambda item: -len(item[0]))
    pattern = re.compile("|".join(f"({_label_regex(p)})" for p, _ in labels))
    occurrences: dict[str, int] = {}
    marks: list[tuple[int, int, str | None, int]] = []  # (start, end, field, occurrence)
    for match in pattern.finditer(stream.text):
        printed, name = labels[match.lastindex - 1]
        if name is None:
            marks.append((match.start(), match.end(), None, 0))
            continue
        seen = occurrences.get(printed, 0)
        wanted = {f.occurrence for f in kind.fields if printed in f.printed}
        if seen > max(wanted):
            continue  # the label's words inside a value (经营范围 text naming 类型 …)
        occurrences[printed] = seen + 1
        marks.append((match.start(), match.end(), printed, seen))
    found: dict[str, Found] = {}
    for index, (_start, end, printed, seen) in enumerate(marks):
        if printed is None:
            continue
        spec = next((f for f in kind.fields if printed in f.printed and f.occurrence == seen), None)
        if spec is None or spec.name in found:
            continue
        stop = marks[index + 1][0] if index + 1 < len(marks) else len(stream.text)
        raw = stream.text[end:stop]
        found[spec.name] = Found(
            raw.strip(" :：\n"), stream.confidence(end, stop), stream.candidates(end, stop)
        )
    return found


def detect(kinds, stream: Stream) -> list[str]:
    """Kinds whose anchor words appear, the best covered first."""
    squashed = re.sub(r"\s", "", stream.text)
    hits = []
    for kind in kinds:
        count = sum(1 for anchor in kind.anchors if anchor in squashed)
        if count:
            hits.append((count / len(kind.anchors), kind.code))
    return [code for _, code in sorted(hits, reverse=True)]
