"""The integration plugin registry (ARCHITECTURE pattern 5).

An integration (SMS gateway, identity verification, payment, delivery, external data source, prefill
source …) is a class registered under a (kind, name) pair:

    @plugins.register("sms", "log")
    class LogSms(plugins.Plugin):
        label = "写入日志（演示）"
        demo = True
        options = (plugins.Option("prefix", "前缀"),)

        def send_sms(self, phone, text, *, reference): ...

Which plugin is active for a kind, and with which options, comes from `settings.PLUGINS`
(`{"sms": {"name": "log", "options": {}}}`, overridable through TONGBAN_PLUGINS_JSON).
`get_plugin(kind)` returns a configured instance; a system check reports misconfiguration at start-up
and `tongban plugins` lists everything. Apps keep their plugins in `<app>/plugins.py`: those modules
are imported on first use of the registry, so registering needs no wiring anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any, ClassVar

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import module_has_submodule

# Known kinds, with their Chinese labels. A kind not listed here still works (labelled by its code).
KINDS = {
    "sms": "短信网关",
    "identity": "身份核验",
    "payment": "在线支付",
    "delivery": "物流快递",
    "data_source": "外部数据源",
    "prefill": "表单预填数据源",
}


class PluginError(ImproperlyConfigured):
    """A kind has no usable plugin: not configured, unknown name, or options that fail the check."""


@dataclass(frozen=True)
class Option:
    name: str
    label: str
    required: bool = False
    secret: bool = False  # never printed: `tongban plugins` and errors show ****** instead
    default: Any = None
    help: str = ""


class Plugin:
    """Base class. Subclasses set `label`, `options`, `demo` and add the methods of their kind."""

    kind: ClassVar[str] = ""
    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    demo: ClassVar[bool] = (
        False  # fine for the embedded default and tests, warned about in production
    )
    options: ClassVar[tuple[Option, ...]] = ()

    def __init__(self, options: dict | None = None):
        given = options or {}
        # The declared options with the configured values (defaults filled in).
        self.config = {opt.name: given.get(opt.name, opt.default) for opt in type(self).options}

    @classmethod
    def check_config(cls, options: dict) -> list[str]:
        """Problems with `options`, in Chinese; empty when fine. Override and extend with super()."""
        problems = []
        known = {opt.name for opt in cls.options}
        for opt in cls.options:
            if opt.required and options.get(opt.name) in (None, ""):
                problems.append(f"缺少必填配置项 {opt.name}（{opt.label}）")
        problems.extend(
            f"未知配置项 {name}（可用：{'、'.join(sorted(known)) or '无'}）"
            for name in sorted(set(options) - known)
        )
        return problems

    @classmethod
    def describe_options(cls, options: dict) -> dict:
        """Options as they may be shown to people: secret values replaced by ******."""
        return {
            opt.name: ("******" if opt.secret and options.get(opt.name) else options.get(opt.name))
            for opt in cls.options
        }


_registry: dict[str, dict[str, type[Plugin]]] = {}
_discovered = False


def register(kind: str, name: str):
    """Class decorator: register a Plugin subclass under (kind, name)."""

    def decorator(cls: type[Plugin]) -> type[Plugin]:
        if not (isinstance(cls, type) and issubclass(cls, Plugin)):
            raise TypeError(f"{cls!r} must subclass tongban.core.plugins.Plugin")
        existing = _registry.get(kind, {}).get(name)
        if existing is not None and _path(existing) != _path(cls):
            raise ImproperlyConfigured(f"插件 {kind}:{name} 已被 {existing.__module__} 注册")
        cls.kind, cls.name = kind, name
        _registry.setdefault(kind, {})[name] = cls
        return cls

    return decorator


def _path(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def unregister(kind: str, name: str) -> None:
    """Remove a registration (for tests that register a plugin of their own)."""
    _registry.get(kind, {}).pop(name, None)


def _discover() -> None:
    """Import every Tongban app's `plugins` module once, so its decorators have run."""
    global _discovered
    if _discovered:
        return
    for app_config in apps.get_app_configs():
        if app_config.name.startswith("tongban.") and module_has_submodule(
            app_config.module, "plugins"
        ):
            import_module(f"{app_config.name}.plugins")
    _discovered = True


def kind_label(kind: str) -> str:
    return KINDS.get(kind, kind)


def registered(kind: str | None = None) -> dict:
    """{kind: {name: class}} for all kinds, or {name: class} for one kind."""
    _discover()
    if kind is not None:
        return dict(_registry.get(kind, {}))
    return {k: dict(v) for k, v in _registry.items()}


def active_config(kind: str) -> dict | None:
    """The configured {"name": …, "options": {…}} for `kind`, or None when it is not configured."""
    entry = settings.PLUGINS.get(kind)
    if entry is None:
        return None
    if isinstance(entry, str):
        return {"name": entry, "options": {}}
    return {"name": entry.get("name", ""), "options": dict(entry.get("options") or {})}


def config_problems(kind: str) -> list[str]:
    """Everything wrong with the configuration of `kind` (empty when get_plugin will succeed)."""
    config = active_config(kind)
    if config is None:
        return [f"未配置{kind_label(kind)}插件（PLUGINS[{kind!r}]）"]
    available = registered(kind)
    cls = available.get(config["name"])
    if cls is None:
        names = "、".join(sorted(available)) or "无"
        return [f"{kind_label(kind)}插件 {config['name']!r} 不存在（已注册：{names}）"]
    return cls.check_config(config["options"])


def get_plugin(kind: str) -> Plugin:
    """A configured instance of the active plugin for `kind`; PluginError if there is none."""
    problems = config_problems(kind)
    if problems:
        raise PluginError(f"{kind_label(kind)}插件配置有误：" + "；".join(problems))
    config = active_config(kind)
    return registered(kind)[config["name"]](config["options"])


@checks.register("plugins")
def check_plugins(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Start-up check: every configured kind names a registered plugin whose options pass."""
    messages: list[checks.CheckMessage] = []
    for kind in sorted(settings.PLUGINS):
        problems = config_problems(kind)
        messages.extend(
            checks.Error(problem, hint="检查 TONGBAN_PLUGINS_JSON", id="tongban.E101", obj=kind)
            for problem in problems
        )
        if problems or not settings.PRODUCTION:
            continue
        cls = registered(kind)[active_config(kind)["name"]]
        if cls.demo:
            messages.append(
                checks.Warning(
                    f"生产模式下{kind_label(kind)}仍在使用演示插件 {cls.name!r}",
                    hint="在 TONGBAN_PLUGINS_JSON 中配置真实的插件",
                    id="tongban.W101",
                    obj=kind,
                )
            )
    return messages
