"""Rules for the names admins give to apps, entities, fields, roles and flows.

Names become table and column names and words in expressions, so they are
kept to ``^[a-z][a-z0-9_]{0,39}$`` and may not be a reserved word of any SQL
dialect we run on or of the expression language; quoting would hide the
clash in one place and break it in another (a report, an export, a raw SQL
console). Each problem gets its own sentence, because a business admin has to
understand why ``Name`` or ``名字`` was refused and what to type instead.
"""

from __future__ import annotations

import keyword
import re

from runtime.metadata.model import CHILD_COLUMNS
from runtime.metadata.model import SYSTEM_COLUMNS

NAME_PATTERN = "^[a-z][a-z0-9_]{0,39}$"
MAX_LENGTH = 40
_NAME_RE = re.compile(NAME_PATTERN)

#: SQL:2016 reserved words (ISO/IEC 9075-2:2016, 5.2 <reserved word>).
SQL2016_RESERVED = """
abs acos all allocate alter and any are array array_agg array_max_cardinality as asensitive
asin asymmetric at atan atomic authorization avg begin begin_frame begin_partition between
bigint binary blob boolean both by call called cardinality cascaded case cast ceil ceiling char
char_length character character_length check classifier clob close coalesce collate collect
column commit condition connect constraint contains convert copy corr corresponding cos cosh
count covar_pop covar_samp create cross cube cume_dist current current_catalog current_date
current_default_transform_group current_path current_role current_row current_schema
current_time current_timestamp current_transform_group_for_type current_user cursor cycle date
day deallocate dec decfloat decimal declare default define delete dense_rank deref describe
deterministic disconnect distinct double drop dynamic each element else empty end end_frame
end_partition equals escape every except exec execute exists exp external extract false
fetch filter first_value float floor for foreign frame_row free from full function fusion get
global grant group grouping groups having hold hour identity in indicator initial inner inout
insensitive insert int integer intersect intersection interval into is join json_array
json_arrayagg json_exists json_object json_objectagg json_query json_table
json_table_primitive json_value lag language large last_value lateral lead leading left like
like_regex listagg ln local localtime localtimestamp log log10 lower match match_number
match_recognize matches max measures member merge method min minute mod modifies module month
multiset national natural nchar nclob new no none normalize not nth_value ntile null nullif
numeric occurrences_regex octet_length of offset old omit on one only open or order out outer
over overlaps overlay parameter partition pattern per percent percent_rank percentile_cont
percentile_disc period portion position position_regex power precedes precision prepare
primary procedure ptf range rank reads real recursive ref references referencing regr_avgx
regr_avgy regr_count regr_intercept regr_r2 regr_slope regr_sxx regr_sxy regr_syy release
result return returns revoke right rollback rollup row row_number rows running savepoint scope
scroll search second seek select sensitive session_user set show similar sin sinh skip
smallint some specific specifictype sql sqlexception sqlstate sqlwarning sqrt start static
stddev_pop stddev_samp submultiset subset substring substring_regex succeeds sum symmetric
system system_time system_user table tablesample tan tanh then time timestamp timezone_hour
timezone_minute to trailing translate translate_regex translation treat trigger trim
trim_array true truncate uescape union unique unknown unnest update upper user using value
values value_of var_pop var_samp varbinary varchar varying versioning when whenever where
width_bucket window with within without year
""".split()

#: PostgreSQL "reserved" and "reserved (can be function or type)" key words
#: (src/include/parser/kwlist.h): these cannot be column or table names.
POSTGRESQL_RESERVED = """
all analyse analyze and any array as asc asymmetric authorization binary both case cast check
collate collation column concurrently constraint create cross current_catalog current_date
current_role current_schema current_time current_timestamp current_user default deferrable
desc distinct do else end except false fetch for foreign freeze from full grant group having
ilike in initially inner intersect into is isnull join lateral leading left like limit
localtime localtimestamp natural not notnull null offset on only or order outer overlaps
placing primary references returning right select session_user similar some symmetric
system_user table tablesample then to trailing true union unique user using variadic verbose
when where window with
""".split()

#: SQLite key words that are not in its parser's identifier fallback list
#: (parse.y ``%fallback ID``), i.e. the ones that break an unquoted name.
SQLITE_RESERVED = """
add all alter and as autoincrement between case check collate commit constraint create default
deferrable delete distinct drop else escape except exists foreign from group having in index
insert intersect into is isnull join limit not nothing notnull null on or order primary
references returning select set table then to transaction union unique update using values
when where
""".split()

SQL_RESERVED = (
    frozenset(SQL2016_RESERVED) | frozenset(POSTGRESQL_RESERVED) | frozenset(SQLITE_RESERVED)
)

#: Expressions are parsed with Python's ``ast``: a field called ``class`` could
#: never be referred to in a formula.
EXPRESSION_RESERVED = frozenset(k.lower() for k in keyword.kwlist) | {"null", "true", "false"}

#: Columns the storage layer adds to every table (or to child tables).
SYSTEM_FIELD_NAMES = frozenset(SYSTEM_COLUMNS) | frozenset(CHILD_COLUMNS)


def _shown(name: str) -> str:
    """Quote a name for a message without echoing 300 characters back."""
    return repr(name if len(name) <= 48 else name[:45] + "...")


def syntax_problem(name: object) -> str | None:
    """Why ``name`` does not match ``^[a-z][a-z0-9_]{0,39}$``, in words; None if it does."""
    if not isinstance(name, str):
        return f"a name must be text, not {type(name).__name__}"
    if name == "":
        return "the name is empty"
    if len(name) > MAX_LENGTH:
        return (
            f"the name {_shown(name)} is {len(name)} characters long; at most {MAX_LENGTH} allowed"
        )
    if not name.isascii():
        return (
            f"the name {_shown(name)} contains non-ASCII characters; names use only a-z, 0-9 "
            "and _ (put the text people read in the label instead)"
        )
    if name.startswith("_"):
        return f"the name {_shown(name)} starts with '_', which is reserved for system names"
    if name != name.lower() and _NAME_RE.match(name.lower()):
        return f"the name {_shown(name)} must be lowercase: use {name.lower()!r}"
    bad = sorted({c for c in name if not (c.islower() or c.isdigit() or c == "_")})
    if bad:
        shown = " ".join(repr(c) for c in bad[:6])
        hint = "; use '_' between words" if set(bad) & set(" -.") else ""
        return f"the name {_shown(name)} may only contain a-z, 0-9 and _ (found {shown}){hint}"
    if not name[0].isalpha():
        return f"the name {_shown(name)} must start with a letter a-z"
    return None


def reserved_problem(
    name: str, *, field_type: str | None = None, is_field: bool = False
) -> str | None:
    """Why a syntactically valid name is still taken; None if it is free.

    Fields may not reuse system columns, except ``owner`` declared as a
    ``user`` field, which customizes the built-in owner column.
    """
    if name in SQL_RESERVED:
        return f"{name!r} is a reserved word in SQL; choose another name, e.g. with a second word"
    if name in EXPRESSION_RESERVED:
        return f"{name!r} is a reserved word in expressions; choose another name"
    if is_field and name in SYSTEM_FIELD_NAMES:
        if name == "owner" and field_type == "user":
            return None
        if name == "owner":
            return "'owner' is the built-in owner column; it may only be declared as a 'user' field"
        return f"{name!r} is a system column the platform adds itself; choose another name"
    return None


def name_problem(
    name: object, *, field_type: str | None = None, is_field: bool = False
) -> str | None:
    """Every name rule at once: syntax first, then reserved words."""
    return syntax_problem(name) or reserved_problem(name, field_type=field_type, is_field=is_field)


def is_valid_name(name: object) -> bool:
    return isinstance(name, str) and bool(_NAME_RE.match(name))
