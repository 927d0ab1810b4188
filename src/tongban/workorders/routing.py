"""Routing: which department handles an order.

Rules (RoutingRule) are read in order and the first active rule whose conditions all hold wins:
its category is the order's category or an ancestor of it, its region is the order's region or an
ancestor of it, its grid cell is the order's. Without a matching rule the category's default
department applies. The decision says which rule (or default) made it, and is stored on the order.
"""

from dataclasses import dataclass

from tongban.workorders.models import Category, RoutingRule


@dataclass(frozen=True)
class Route:
    department: object | None
    rule: RoutingRule | None
    note: str


def _category_chain(category: Category | None) -> set[int]:
    chain = set()
    while category is not None:
        chain.add(category.pk)
        category = category.parent
    return chain


def _region_chain(region) -> set[str]:
    chain = set()
    while region is not None:
        chain.add(region.code)
        region = region.parent
    return chain


def rule_matches(rule: RoutingRule, categories: set[int], regions: set[str], grid_id) -> bool:
    if rule.category_id is not None and rule.category_id not in categories:
        return False
    if rule.region_id is not None and rule.region_id not in regions:
        return False
    return rule.grid_cell_id is None or rule.grid_cell_id == grid_id


def route(category: Category | None, region=None, grid_cell_id=None) -> Route:
    categories = _category_chain(category)
    regions = _region_chain(region)
    rules = RoutingRule.objects.filter(is_active=True).select_related("department")
    for rule in rules.order_by("position"):
        if rule_matches(rule, categories, regions, grid_cell_id):
            return Route(rule.department, rule, f"规则 {rule.position}：{rule.name}")
    node = category
    while node is not None:
        if node.department_id:
            return Route(node.department, None, f"分类“{node.name}”的默认承办部门")
        node = node.parent
    return Route(None, None, "没有匹配的规则，由派单员人工派单")
