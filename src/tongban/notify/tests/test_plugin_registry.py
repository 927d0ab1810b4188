"""The generic integration plugin registry (tongban.core.plugins) and `tongban plugins`."""

from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError

from tongban.core import plugins
from tongban.notify.plugins import LogSms


class DemoVerifier(plugins.Plugin):
    label = "测试身份核验"
    options = (
        plugins.Option("url", "接口地址", required=True),
        plugins.Option("api_key", "密钥", required=True, secret=True),
        plugins.Option("timeout", "超时秒数", default=10),
    )

    @classmethod
    def check_config(cls, options):
        problems = super().check_config(options)
        if options.get("url") and not str(options["url"]).startswith("https://"):
            problems.append("接口地址必须使用 https")
        return problems


@pytest.fixture
def verifier(settings):
    plugins.register("identity", "test-verifier")(DemoVerifier)
    settings.PLUGINS = {
        **settings.PLUGINS,
        "identity": {
            "name": "test-verifier",
            "options": {"url": "https://verify.example", "api_key": "s3cret-value"},
        },
    }
    yield settings
    plugins.unregister("identity", "test-verifier")


def test_log_sms_is_registered_and_active_by_default():
    assert plugins.registered("sms")["log"] is LogSms
    gateway = plugins.get_plugin("sms")
    assert isinstance(gateway, LogSms) and gateway.name == "log" and gateway.kind == "sms"


def test_get_plugin_returns_a_configured_instance(verifier):
    instance = plugins.get_plugin("identity")
    assert isinstance(instance, DemoVerifier)
    assert instance.config == {
        "url": "https://verify.example",
        "api_key": "s3cret-value",
        "timeout": 10,
    }


def test_config_problems_are_reported_in_chinese(verifier):
    verifier.PLUGINS = {
        "identity": {"name": "test-verifier", "options": {"url": "http://x", "colour": "red"}}
    }
    problems = plugins.config_problems("identity")
    assert "缺少必填配置项 api_key（密钥）" in problems
    assert "接口地址必须使用 https" in problems
    assert any("未知配置项 colour" in p for p in problems)
    with pytest.raises(plugins.PluginError, match="身份核验插件配置有误"):
        plugins.get_plugin("identity")


def test_unknown_and_unconfigured_kinds(settings):
    settings.PLUGINS = {"sms": {"name": "nope"}}
    with pytest.raises(plugins.PluginError, match="'nope' 不存在（已注册：log"):
        plugins.get_plugin("sms")
    with pytest.raises(plugins.PluginError, match="未配置在线支付插件"):
        plugins.get_plugin("payment")
    settings.PLUGINS = {"sms": "log"}  # shorthand without options
    assert plugins.get_plugin("sms").name == "log"


def test_registering_a_different_class_under_a_taken_name_fails():
    class Other(plugins.Plugin):
        pass

    with pytest.raises(ImproperlyConfigured, match="sms:log"):
        plugins.register("sms", "log")(Other)
    with pytest.raises(TypeError):
        plugins.register("sms", "x")(object)


def test_system_check_reports_misconfiguration(settings):
    assert plugins.check_plugins() == []
    settings.PLUGINS = {"sms": {"name": "nope"}}
    (error,) = plugins.check_plugins()
    assert error.id == "tongban.E101" and "nope" in error.msg


def test_system_check_warns_about_demo_plugins_in_production(settings):
    settings.PRODUCTION = True
    warnings = {w.obj: w for w in plugins.check_plugins()}
    # The demo SMS gateway and identity's simulated real-name checks (levels 2 and 3).
    assert set(warnings) == {"sms", "realname_2", "realname_3"}
    assert all(w.id == "tongban.W101" for w in warnings.values())
    assert "演示插件 'log'" in warnings["sms"].msg


def test_plugins_command_lists_kinds_and_hides_secrets(verifier):
    out = StringIO()
    call_command("plugins", stdout=out)
    text = out.getvalue()
    assert "sms（短信网关）" in text and "* log" in text
    assert "identity（身份核验）" in text and "* test-verifier" in text
    assert "配置检查通过" in text and "******" in text
    assert "s3cret-value" not in text
    assert "payment（在线支付）" in text and "当前未启用" in text


def test_plugins_command_check_flag_fails_on_errors(settings):
    settings.PLUGINS = {"sms": {"name": "nope"}}
    out = StringIO()
    call_command("plugins", stdout=out)  # without --check: report only
    assert "配置错误" in out.getvalue()
    with pytest.raises(CommandError, match="sms"):
        call_command("plugins", "--check", stdout=StringIO())
