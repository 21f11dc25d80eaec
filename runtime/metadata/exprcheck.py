"""Type-check every expression of an app at publish time and refuse dependency cycles.

Formulas must produce their declared ``result``; rules, form conditions and
role row rules must be conditions (BOOLEAN). Errors carry the expression's own
line/col message at the JSON pointer of the expression. Formulas, lookups and
rollups form a dependency graph that must be acyclic, or no evaluation order
exists ("cycle: a -> b -> a").
"""

from __future__ import annotations

from collections.abc import Iterator

from runtime.metadata.crosscheck_docs import form_expressions
from runtime.metadata.crosscheck_docs import role_expressions
from runtime.metadata.expressions import BOOLEAN
from runtime.metadata.expressions import ExpressionError
from runtime.metadata.expressions import ExprType
from runtime.metadata.expressions import Field as FieldNode
from runtime.metadata.expressions import check
from runtime.metadata.expressions import fields_used
from runtime.metadata.expressions import parse
from runtime.metadata.expressions import walk
from runtime.metadata.layout import Layout
from runtime.metadata.model import split_target
from runtime.metadata.problems import Problem
from runtime.metadata.problems import pointer
from runtime.metadata.scope import EntityScope
from runtime.metadata.scope import kind_to_type
from runtime.metadata.targets import target_problem

Node = tuple[str, str]  # (entity, field) within the app being validated


def expression_error(
    source: str, scope: EntityScope, expect: ExprType | None
) -> ExpressionError | None:
    """Parse and type-check one expression on ``scope``'s entity; the error, or None if it is fine."""
    try:
        expr = parse(source)
        for node in walk(expr):
            if isinstance(node, FieldNode):
                reason = scope.explain(node.path)
                if reason:
                    raise ExpressionError(reason, node.pos)
        check(expr, scope, expect)
    except ExpressionError as exc:
        return exc
    return None


def _touches_broken(layout: Layout, scope: EntityScope, source: str) -> bool:
    """Whether the expression reads a field or entity that failed its schema (reported already)."""
    try:
        paths = fields_used(parse(source))
    except ExpressionError:
        return False
    for path in paths:
        current = scope
        for name in path:
            if current.app is layout.app and layout.is_broken(current.entity.name, name):
                return True
            if not current.entity.has_field(name) or current.entity.field(name).type != "link":
                break
            target = current.entity.field(name).opt("target", "")
            app_name, entity = split_target(target, current.app.name)
            if app_name == layout.app.name and layout.is_broken(entity):
                return True
            current = current.scope_for(target)
            if current is None:
                break
    return False


def _expressions(layout: Layout) -> Iterator[tuple[str, str, EntityScope, ExprType, str]]:
    """(file, pointer, scope, expected type, source) of every expression in the app."""
    app = layout.app
    for entity in app.entities:
        scope = EntityScope(app, entity, layout.installed)
        file = layout.entity_files[entity.name]
        for position, f in enumerate(entity.fields):
            if f.type == "formula":
                where = pointer("fields", layout.positions[entity.name][position], "expression")
                yield file, where, scope, kind_to_type(f.kind.value_kind(f)), f.opt("expression")
        for i, rule in enumerate(entity.rules):
            yield file, pointer("rules", i, "when"), scope, BOOLEAN, rule.when
    for path, doc in sorted(app.documents("forms").items()):
        if app.has_entity(doc["entity"]):
            scope = EntityScope(app, doc["entity"], layout.installed)
            for steps, source in form_expressions(doc):
                yield path, pointer(*steps), scope, BOOLEAN, source
    for path, doc in sorted(app.documents("roles").items()):
        for key, steps, source in role_expressions(doc):
            if target_problem(layout, key) is None and not layout.is_broken(
                split_target(key, app.name)[1]
            ):
                yield path, pointer(*steps), _role_scope(layout, key), BOOLEAN, source


def _role_scope(layout: Layout, key: str) -> EntityScope:
    app_name, name = split_target(key, layout.app.name)
    app = layout.app if app_name == layout.app.name else layout.installed[app_name]
    return EntityScope(app, name, layout.installed)


def expression_problems(layout: Layout) -> list[Problem]:
    """One problem per bad expression, unless it only fails because of an already-reported error."""
    found = []
    for file, where, scope, expect, source in _expressions(layout):
        error = expression_error(source, scope, expect)
        if error is not None and not _touches_broken(layout, scope, source):
            found.append(Problem(file, where, error.message))
    return found


# -- dependency cycles ----------------------------------------------------------


def _path_nodes(layout: Layout, scope: EntityScope, path: tuple[str, ...]) -> set[Node]:
    """The fields of this app that reading ``path`` depends on, following links."""
    nodes, current = set(), scope
    for i, name in enumerate(path):
        if current is None or current.app is not layout.app:
            break
        nodes.add((current.entity.name, name))
        field = current.entity.field(name) if current.entity.has_field(name) else None
        if field is None or field.type != "link" or i == len(path) - 1:
            break
        current = current.scope_for(field.opt("target", ""))
    return nodes


def dependency_graph(layout: Layout) -> dict[Node, set[Node]]:
    """For each formula, lookup and rollup: the fields it reads."""
    graph: dict[Node, set[Node]] = {}
    for entity in layout.app.entities:
        scope = EntityScope(layout.app, entity, layout.installed)
        for f in entity.fields:
            deps: set[Node] = set()
            if f.type == "formula":
                try:
                    paths = fields_used(parse(f.opt("expression")))
                except ExpressionError:
                    paths = set()
                for path in paths:
                    deps |= _path_nodes(layout, scope, path)
            elif f.type == "lookup":
                deps = _path_nodes(layout, scope, (f.opt("source"), f.opt("field")))
            elif f.type == "rollup" and f.opt("field") and entity.has_field(f.opt("source")):
                child = scope.scope_for(entity.field(f.opt("source")).opt("target", ""))
                deps = _path_nodes(layout, child, (f.opt("field"),)) if child else set()
            if deps:
                graph[(entity.name, f.name)] = deps
    return graph


def find_cycles(graph: dict[Node, set[Node]]) -> list[list[Node]]:
    """Each elementary cycle found by depth-first search, once, starting at its smallest node."""
    cycles, done = set(), set()

    def visit(node: Node, stack: list[Node]) -> None:
        if node in stack:
            cycle = stack[stack.index(node) :]
            start = cycle.index(min(cycle))
            cycles.add(tuple(cycle[start:] + cycle[:start]))
            return
        if node in done:
            return
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            visit(nxt, stack)
        stack.pop()
        done.add(node)

    for node in sorted(graph):
        visit(node, [])
    return [list(c) for c in sorted(cycles)]


def cycle_problems(layout: Layout) -> list[Problem]:
    """One problem per dependency cycle, on its first field: ``cycle: a -> b -> a``."""
    found = []
    for cycle in find_cycles(dependency_graph(layout)):
        same = len({entity for entity, _ in cycle}) == 1
        names = [field if same else f"{entity}.{field}" for entity, field in cycle + cycle[:1]]
        entity, field = cycle[0]
        found.append(layout.field_problem(entity, field, [], "cycle: " + " -> ".join(names)))
    return found
