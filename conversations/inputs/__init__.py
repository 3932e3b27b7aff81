"""Input kinds: how each kind of question is asked and how an answer is read.

The kinds are grouped by family (`text`, `identity`, `choices`, `regions`); `INPUTS` registers
them under the names a step's `input` uses. `base` has the interface.
"""

from __future__ import annotations

from conversations.inputs.base import (
    MAX_TEXT,
    PAGE_SIZE,
    Enter,
    InputKind,
    Next,
    Parsed,
    Prompt,
    Review,
    clean_spaces,
    match_label,
)
from conversations.inputs.choices import (
    ChoiceInput,
    ConsentInput,
    IncomeInput,
    OccupationInput,
    SummaryInput,
    YesNoInput,
    parse_income,
)
from conversations.inputs.identity import DateInput, NikConfirmInput, NikInput, parse_date
from conversations.inputs.regions import DistrictInput, RegencyInput, RegionInput, VillageInput
from conversations.inputs.text import (
    EndInput,
    HeirNameInput,
    NameInput,
    PatternInput,
    PhoneInput,
    ShortTextInput,
    TextInput,
)

__all__ = [
    "INPUTS",
    "MAX_TEXT",
    "PAGE_SIZE",
    "ChoiceInput",
    "ConsentInput",
    "DateInput",
    "DistrictInput",
    "EndInput",
    "Enter",
    "HeirNameInput",
    "IncomeInput",
    "InputKind",
    "NameInput",
    "Next",
    "NikConfirmInput",
    "NikInput",
    "OccupationInput",
    "Parsed",
    "PatternInput",
    "PhoneInput",
    "Prompt",
    "RegencyInput",
    "RegionInput",
    "Review",
    "ShortTextInput",
    "SummaryInput",
    "TextInput",
    "VillageInput",
    "YesNoInput",
    "clean_spaces",
    "match_label",
    "parse_date",
    "parse_income",
]

# Kinds keep no state: one instance of each serves every step and every chat.
INPUTS: dict[str, InputKind] = {
    "name": NameInput(),
    "short_text": ShortTextInput(),
    "nik": NikInput(),
    "nik_confirm": NikConfirmInput(),
    "date": DateInput(),
    "choice": ChoiceInput(),
    "phone": PhoneInput(),
    "occupation": OccupationInput(),
    "regency": RegencyInput(),
    "district": DistrictInput(),
    "village": VillageInput(),
    "income": IncomeInput(),
    "heir_name": HeirNameInput(),
    "consent": ConsentInput(),
    "summary": SummaryInput(),
    "yes_no": YesNoInput(),
    "text": TextInput(),
    "pattern": PatternInput(),
    "end": EndInput(),
}
