"""`/grouping-rules`: which new alerts join an open case as they are stored; admins write."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, JSONBody

from irbox.cases.grouping import GroupingRule, GroupingRuleIn, GroupingRuleList, GroupingRulePatch
from irbox.web.deps import CtxDep

READ = {"scope": "alerts:read"}
ADMIN = {"scope": "admin"}


class GroupingRulesController(Controller):
    path = "/grouping-rules"
    tags = ["grouping rules"]

    @get("/", opt=READ, sync_to_thread=True)
    def list_grouping_rules(self, ctx: CtxDep) -> GroupingRuleList:
        return ctx.services.grouping_rules.list()

    @post("/", opt=ADMIN, status_code=201)
    async def create_grouping_rule(
        self, data: JSONBody[GroupingRuleIn], ctx: CtxDep
    ) -> GroupingRule:
        """A new alert of `source` sharing the asset's host name (`by: hostname`), or an
        observable of `observable_types` (`by: observable`; empty: any), with an alert of that
        source in an open case detected within `window_m` minutes joins that case."""
        return await ctx.services.grouping_rules.create(data, ctx.actor)

    @get("/{rule_id:str}", opt=READ, sync_to_thread=True)
    def get_grouping_rule(self, rule_id: FromPath[str], ctx: CtxDep) -> GroupingRule:
        return ctx.services.grouping_rules.get(rule_id)

    @patch("/{rule_id:str}", opt=ADMIN)
    async def edit_grouping_rule(
        self, rule_id: FromPath[str], data: JSONBody[GroupingRulePatch], ctx: CtxDep
    ) -> GroupingRule:
        """Its types, window, or whether it is active."""
        return await ctx.services.grouping_rules.update(rule_id, data, ctx.actor)

    @delete("/{rule_id:str}", opt=ADMIN, status_code=200)
    async def delete_grouping_rule(self, rule_id: FromPath[str], ctx: CtxDep) -> GroupingRule:
        return await ctx.services.grouping_rules.delete(rule_id, ctx.actor)
