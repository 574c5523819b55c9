"""Cross-references in a community file: ids defined once, and agencies' CoCs, access roles'
and the reinstatement ladder's trainings that exist. Checked on the input, before the models
are built, so that each bad reference is reported at its own key together with every other
mistake in the file."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

COLLECTIONS = (
    "cocs",
    "agencies",
    "trainings",
    "access_roles",
    "reminders",
    "onboarding_checklist",
    "questions",
)
POSITION_TRAININGS = ("lead_training", "security_officer_training")


def reference_problems(data: object) -> list[InitErrorDetails]:
    """What in community data (as read from YAML, or models) refers to something it does not
    define, or defines an id twice, each at its location; malformed parts are left to the
    field validators."""
    duplicates = [problem for name in COLLECTIONS for problem in _duplicate_ids(data, name)]
    return [
        *duplicates,
        *_unknown_cocs(data),
        *_unknown_trainings(data),
        *_unknown_interim_roles(data),
        *_unknown_assessor_training(data),
        *_unknown_ladder_trainings(data),
        *_unknown_position_trainings(data),
        *_unknown_checklist_items(data),
        *_second_mou_steps(data),
        *_unknown_import_targets(data),
        *_unknown_filers(data),
        *_unknown_stage_references(data),
    ]


def _unknown_cocs(data: object) -> list[InitErrorDetails]:
    cocs = _ids(data, "cocs")
    return [
        _reference(("agencies", i, "coc"), f"CoC '{coc}' is not in cocs{_known(cocs)}")
        for i, agency in enumerate(_items(data, "agencies"))
        if isinstance(coc := _field(agency, "coc"), str) and coc not in cocs
    ]


def _unknown_trainings(data: object) -> list[InitErrorDetails]:
    """Every training a role's requirement names, and every question one depends on."""
    trainings, questions = _ids(data, "trainings"), _ids(data, "questions")
    problems = []
    for i, role in enumerate(_items(data, "access_roles")):
        for j, item in enumerate(_items(role, "trainings") or _items(role, "requirements")):
            where: tuple[str | int, ...] = ("access_roles", i, "trainings", j)
            for named, training in _requirement_trainings(item, where):
                if training not in trainings:
                    message = f"training '{training}' is not in trainings{_known(trainings)}"
                    problems.append(_reference(named, message))
            when = _field(item, "when")
            if isinstance(when, str) and when not in questions:
                message = f"question '{when}' is not in questions{_known(questions)}"
                problems.append(_reference((*where, "when"), message))
    return problems


def _requirement_trainings(
    item: object, where: tuple[str | int, ...]
) -> list[tuple[tuple[str | int, ...], str]]:
    """The trainings one requirement names, each with its location: ``id``,
    ``{training: id}`` or ``{any_of: [ids]}``."""
    if isinstance(item, str):
        return [(where, item)]
    single = _field(item, "training")
    if isinstance(single, str):
        return [((*where, "training"), single)]
    return [
        ((*where, "any_of", k), training)
        for k, training in enumerate(_items(item, "any_of"))
        if isinstance(training, str)
    ]


def _unknown_ladder_trainings(data: object) -> list[InitErrorDetails]:
    trainings = _ids(data, "trainings")
    return [
        _reference(
            ("reinstatement", i, "trainings", j),
            f"training '{training}' is not in trainings{_known(trainings)}",
        )
        for i, step in enumerate(_items(data, "reinstatement"))
        for j, training in enumerate(_items(step, "trainings"))
        if isinstance(training, str) and training not in trainings
    ]


def _unknown_interim_roles(data: object) -> list[InitErrorDetails]:
    roles = _ids(data, "access_roles")
    return [
        _reference(
            ("access_roles", i, "interim_role"),
            f"access role '{interim}' is not in access_roles{_known(roles)}",
        )
        for i, role in enumerate(_items(data, "access_roles"))
        if isinstance(interim := _field(role, "interim_role"), str) and interim not in roles
    ]


def _unknown_assessor_training(data: object) -> list[InitErrorDetails]:
    trainings = _ids(data, "trainings")
    training = _field(_field(data, "coordinated_entry"), "assessor_training")
    if not isinstance(training, str) or training in trainings:
        return []
    location = ("coordinated_entry", "assessor_training")
    return [_reference(location, f"training '{training}' is not in trainings{_known(trainings)}")]


def _unknown_position_trainings(data: object) -> list[InitErrorDetails]:
    """``lead_training`` and ``security_officer_training``: one training id or a list of them,
    each reported at its own place."""
    trainings = _ids(data, "trainings")
    named: list[tuple[tuple[str | int, ...], object]] = []
    for key in POSITION_TRAININGS:
        value = _field(data, key)
        if isinstance(value, str):
            named.append(((key,), value))
        elif isinstance(value, list | tuple):
            named += [((key, j), training) for j, training in enumerate(value)]
    return [
        _reference(where, f"training '{training}' is not in trainings{_known(trainings)}")
        for where, training in named
        if isinstance(training, str) and training not in trainings
    ]


def _unknown_checklist_items(data: object) -> list[InitErrorDetails]:
    items = _ids(data, "onboarding_checklist")
    return [
        _reference(
            ("agencies", i, "checklist", j),
            f"step '{item}' is not in onboarding_checklist{_known(items)}",
        )
        for i, agency in enumerate(_items(data, "agencies"))
        for j, item in enumerate(_items(agency, "checklist"))
        if isinstance(item, str) and item not in items
    ]


def _second_mou_steps(data: object) -> list[InitErrorDetails]:
    """One onboarding step records the MOU's date; a second would overwrite it."""
    steps = [
        i
        for i, item in enumerate(_items(data, "onboarding_checklist"))
        if _field(item, "records_mou") is True
    ]
    return [
        _reference(
            ("onboarding_checklist", i, "records_mou"),
            f"onboarding_checklist.{steps[0]} records the MOU's date already: keep one",
        )
        for i in steps[1:]
    ]


_IMPORT_TARGETS = (
    ("users", "agencies", "agencies", "agency"),
    ("users", "access_roles", "access_roles", "access role"),
    ("trainings", "trainings", "trainings", "training"),
)
"""(import, mapping, collection its values name, what one is called): ``imports.users.agencies``
maps the staff list's agency names to ids in ``agencies``."""


def _unknown_import_targets(data: object) -> list[InitErrorDetails]:
    imports = _field(data, "imports")
    problems = []
    for report, mapping, collection, noun in _IMPORT_TARGETS:
        targets = _field(_field(imports, report), mapping)
        if not isinstance(targets, Mapping):
            continue
        known = _ids(data, collection)
        problems += [
            _reference(
                ("imports", report, mapping, str(spelling)),
                f"{noun} '{target}' is not in {collection}{_known(known)}",
            )
            for spelling, target in targets.items()
            if isinstance(target, str) and target not in known
        ]
    return problems


BUILT_IN_POSITIONS = ("lead", "supervisor", "security_officer")


def _unknown_filers(data: object) -> list[InitErrorDetails]:
    """``filed_by`` names positions: the built-in ones or one some agency lists people for."""
    known = list(BUILT_IN_POSITIONS)
    for agency in _items(data, "agencies"):
        positions = _field(agency, "positions")
        if isinstance(positions, Mapping):
            known += [str(p) for p in positions if str(p) not in known]
    filed_by = _field(data, "filed_by")
    if not isinstance(filed_by, Mapping):
        return []
    return [
        _reference(
            ("filed_by", str(kind), j),
            f"position '{position}' is not one the agencies have{_known(known)}",
        )
        for kind, positions in filed_by.items()
        if isinstance(positions, list | tuple)
        for j, position in enumerate(positions)
        if isinstance(position, str) and position not in known
    ]


def _unknown_stage_references(data: object) -> list[InitErrorDetails]:
    """The trainings a staged training's stages link to, and the questions its workflows
    depend on (``new_user: staged_training:``)."""
    trainings, questions = _ids(data, "trainings"), _ids(data, "questions")
    staged = _field(_field(data, "new_user"), "staged_training")
    where = ("new_user", "staged_training")
    problems = [
        _reference(
            (*where, "stages", i, "trainings", j),
            f"training '{training}' is not in trainings{_known(trainings)}",
        )
        for i, stage in enumerate(_items(staged, "stages"))
        for j, training in enumerate(_items(stage, "trainings"))
        if isinstance(training, str) and training not in trainings
    ]
    problems += [
        _reference(
            (*where, "workflows", i, "when"),
            f"question '{when}' is not in questions{_known(questions)}",
        )
        for i, workflow in enumerate(_items(staged, "workflows"))
        if isinstance(when := _field(workflow, "when"), str) and when not in questions
    ]
    if staged is not None:
        problems += _trainings_outside_stages(data, staged)
    return problems


def _trainings_outside_stages(data: object, staged: object) -> list[InitErrorDetails]:
    """With staged training, the stages are the training before the account: each access
    role's training due before it must be in a stage, so none is silently skipped."""
    covered = {
        training
        for stage in _items(staged, "stages")
        for training in _items(stage, "trainings")
        if isinstance(training, str)
    }
    problems = []
    for i, role in enumerate(_items(data, "access_roles")):
        for j, item in enumerate(_items(role, "trainings") or _items(role, "requirements")):
            where: tuple[str | int, ...] = ("access_roles", i, "trainings", j)
            named = [training for _, training in _requirement_trainings(item, where)]
            if _field(item, "before") == "full_role" or not named or covered & set(named):
                continue
            message = (
                f"with new_user.staged_training, training '{named[0]}' is taken in a stage: "
                "list it in a stage's trainings"
            )
            problems.append(_reference(where, message))
    return problems


def _duplicate_ids(data: object, collection: str) -> list[InitErrorDetails]:
    first: dict[str, int] = {}
    problems = []
    for i, item in enumerate(_items(data, collection)):
        item_id = _field(item, "id")
        if isinstance(item_id, str) and item_id in first:
            message = f"id '{item_id}' is already used by {collection}.{first[item_id]}"
            problems.append(_reference((collection, i, "id"), message))
        elif isinstance(item_id, str):
            first[item_id] = i
    return problems


def _field(item: object, name: str) -> object:
    return item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)


def _items(item: object, name: str) -> list[object]:
    value = _field(item, name)
    return list(value) if isinstance(value, list | tuple) else []


def _ids(data: object, collection: str) -> list[str]:
    ids = (_field(item, "id") for item in _items(data, collection))
    return [item_id for item_id in ids if isinstance(item_id, str)]


def _known(ids: list[str]) -> str:
    return f" ({', '.join(ids)})" if ids else " (there are none)"


def _reference(location: tuple[str | int, ...], message: str) -> InitErrorDetails:
    error = PydanticCustomError("reference", "{message}", {"message": message})
    return InitErrorDetails(type=error, loc=location, input=None)


def joined(title: str, error: ValidationError, problems: list[InitErrorDetails]) -> ValidationError:
    """The field errors and the reference problems in one error."""
    fields = [
        InitErrorDetails(
            type=PydanticCustomError(e["type"], "{message}", {"message": e["msg"]}),
            loc=e["loc"],
            input=e["input"],
        )
        for e in error.errors()
    ]
    return ValidationError.from_exception_data(title, [*fields, *problems])
