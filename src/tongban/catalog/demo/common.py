"""The pieces the demo items share: where the halls are, the materials most items ask for, the
common questions, and `_item`, the shape of one demo item (one 基本目录 item and the demo
departments that implement it)."""

from tongban.catalog.actions import MaterialSpec as M

ONLINE_URL = "https://www.hnzwfw.gov.cn/"
HALL_BY_REGION = {
    "411000": "许昌市政务服务中心",
    "411002": "魏都区政务服务中心",
    "411081": "禹州市政务服务中心",
    "411002001000": "西大街道便民服务中心",
}
ID_CARD = M(
    "申请人居民身份证",
    "公安机关",
    1,
    0,
    notes="核验原件，可用电子证照代替",
    replaceable_by_licence_type="居民身份证",
)
LICENCE = M(
    "营业执照",
    "市场监督管理部门",
    1,
    0,
    notes="核验原件，可用电子营业执照代替",
    replaceable_by_licence_type="营业执照",
)
HOUSEHOLD = M("居民户口簿", "公安机关", 1, 1, replaceable_by_licence_type="居民户口簿")
FOOD_PERSON = "持有效健康证明的食品从业人员"

FAQ_ONLINE = {
    "q": "可以在网上办理吗？",
    "a": "可以。在本平台实名登录后在线提交材料，手机和电脑都可以办理。",
}
FAQ_PROGRESS = {
    "q": "怎样查询办理进度？",
    "a": "登录后在“我的办件”中查看；或在本平台“进度查询”中输入回执上的办件编号和手机号码后四位查看，也可拨打12345。",
}


def _item(code, name, item_type, legal_basis, depts, *, objects="1", **elements):
    return {
        "code": code,
        "name": name,
        "item_type": item_type,
        "legal_basis": legal_basis,
        "depts": depts,
        "service_object": objects,
        **elements,
    }
