"""What a decision is called and says, by the item's type (GB/T 39046 Table A.1): a 行政给付 is
granted by a 给付决定书 ("决定准予给付"), not by a licence decision; refusals say 不予 the same
thing. Types without a document of their own are decided as 办理 (准予办理 / 不予办理)."""

from dataclasses import dataclass

from tongban.catalog.codes import ItemType


@dataclass(frozen=True)
class Wording:
    granted: str  # the result in the decision sentence and messages: "准予给付"
    refused: str
    granted_title: str
    refused_title: str

    def result(self, approve: bool) -> str:
        return self.granted if approve else self.refused

    def title(self, approve: bool) -> str:
        return self.granted_title if approve else self.refused_title


BY_TYPE = {
    ItemType.LICENSING: Wording("准予许可", "不予许可", "准予行政许可决定书", "不予行政许可决定书"),
    ItemType.BENEFIT: Wording("准予给付", "不予给付", "给付决定书", "不予给付决定书"),
    ItemType.CONFIRMATION: Wording("予以确认", "不予确认", "确认决定书", "不予确认决定书"),
    ItemType.AWARD: Wording("给予奖励", "不予奖励", "奖励决定书", "不予奖励决定书"),
    ItemType.ADJUDICATION: Wording("予以裁决", "不予裁决", "行政裁决书", "不予裁决决定书"),
    ItemType.PUBLIC_SERVICE: Wording("准予办理", "不予办理", "办理结果通知书", "不予办理通知书"),
}
GENERIC = Wording("准予办理", "不予办理", "准予办理决定书", "不予办理决定书")


def for_item_type(item_type: str) -> Wording:
    return BY_TYPE.get(item_type, GENERIC)
