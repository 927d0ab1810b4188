"""The user agreement and privacy policy a person accepts when registering (个人信息保护法 第十三、
十四、十七条: consent given knowingly, to rules stated openly before the data is collected).

The texts are templates (accounts/terms.html, accounts/privacy.html). When either changes in
substance, change TERMS_VERSION: registrations record the version they accepted in their audit
record, so what each person agreed to can be shown later.
"""

TERMS_VERSION = "2026-12-01"
