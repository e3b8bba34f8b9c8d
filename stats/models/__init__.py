"""The stats app's models, one module per concern.

- records: analyses (ANRs) and the daily stats records MONARC sends about them;
- facts: the narrow fact rows each record is normalised into, and the labels;
- rollups: the facts summed per client and day, and summed again over every client.

Facts, labels, rollups and totals are derived from the records and kept in step with them by
stats.derived only. Everything is re-exported here: `from stats.models import X` works for all.
"""

from stats.models.facts import (
    FACT_KEY,
    FACT_MODELS,
    KINDS,
    LABEL_KEYS,
    STATES,
    CartographyFact,
    ComplianceCategoryFact,
    ComplianceControlFact,
    Fact,
    Label,
    ObjectFact,
    RiskFact,
    category_key,
    db_column,
)
from stats.models.records import (
    Analysis,
    AnalysisQuerySet,
    Stats,
    StatsQuerySet,
)
from stats.models.rollups import (
    ROLLUP_MODELS,
    ROLLUPS,
    TOTALS,
    CartographyDaily,
    ComplianceCategoryDaily,
    ComplianceControlDaily,
    ObjectDaily,
    ObjectDailyTotal,
    RiskDaily,
    Rollup,
)

__all__ = [
    "FACT_KEY",
    "FACT_MODELS",
    "KINDS",
    "LABEL_KEYS",
    "ROLLUPS",
    "ROLLUP_MODELS",
    "STATES",
    "TOTALS",
    "Analysis",
    "AnalysisQuerySet",
    "CartographyDaily",
    "CartographyFact",
    "ComplianceCategoryDaily",
    "ComplianceCategoryFact",
    "ComplianceControlDaily",
    "ComplianceControlFact",
    "Fact",
    "Label",
    "ObjectDaily",
    "ObjectDailyTotal",
    "ObjectFact",
    "RiskDaily",
    "RiskFact",
    "Rollup",
    "Stats",
    "StatsQuerySet",
    "category_key",
    "db_column",
]
