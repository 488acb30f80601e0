"""FHIR R4 views: Slot, Appointment and the triage form as a QuestionnaireResponse.

Every resource is validated with `fhir.resources` before it leaves (its R4B models: Slot,
Appointment, QuestionnaireResponse and Bundle are unchanged between R4 and R4B for the
elements written here). A resource that does not validate is a bug: it raises.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from agenda import AgendaConfig, Slot
from pipeline.agenda.store import Appointment

QUESTIONNAIRE = "urn:permanence:questionnaire:triage-form"
FhirJson = dict[str, Any]


def _validated(resource: FhirJson) -> FhirJson:
    from fhir.resources.R4B import get_fhir_model_class

    model = get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    out: FhirJson = model.model_dump(mode="json", exclude_none=True)
    return out


def slot_id(slot: Slot) -> str:
    return f"{slot.practitioner}.{slot.type}.{int(slot.start.timestamp())}"


def slot_resource(slot: Slot, config: AgendaConfig) -> FhirJson:
    kind = config.type(slot.type)
    return _validated({
        "resourceType": "Slot",
        "id": slot_id(slot).replace("_", "-")[:64],
        "schedule": {"reference": f"Schedule/{slot.practitioner}",
                     "display": config.practitioner(slot.practitioner).name},
        "status": "free",
        "start": slot.start.isoformat(),
        "end": slot.end.isoformat(),
        "appointmentType": {"text": kind.label_en},
        "serviceType": [{"text": kind.label_fr}],
        **({"comment": "reserved for same-day urgent triage"} if slot.urgent_reserved else {}),
    })


def bundle(resources: Sequence[FhirJson]) -> FhirJson:
    return _validated({
        "resourceType": "Bundle", "type": "searchset", "total": len(resources),
        "timestamp": datetime.now(UTC).isoformat(),
        "entry": [{"resource": r, "search": {"mode": "match"}} for r in resources],
    })


def appointment_resource(appt: Appointment, config: AgendaConfig) -> FhirJson:
    kind = config.type(appt.slot.type)
    booked = appt.status == "booked"
    return _validated({
        "resourceType": "Appointment",
        "id": appt.id,
        "identifier": [{"system": "urn:permanence:appointment", "value": appt.id}],
        "status": "booked" if booked else "cancelled",
        "appointmentType": {"text": kind.label_en},
        "serviceType": [{"text": kind.label_fr}],
        "start": appt.slot.start.isoformat(),
        "end": appt.slot.end.isoformat(),
        "minutesDuration": kind.minutes,
        "created": datetime.fromtimestamp(appt.created_at, UTC).isoformat(),
        "participant": [
            {"actor": {"reference": f"Practitioner/{appt.slot.practitioner}",
                       "display": config.practitioner(appt.slot.practitioner).name},
             "required": "required", "status": "accepted"},
            {"actor": {"reference": f"Patient/{appt.patient.id}",
                       "display": appt.patient.name},
             "required": "required", "status": "accepted"},
        ],
    })


def _answer(value: Any) -> FhirJson | None:
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, int):
        return {"valueInteger": value}
    if isinstance(value, float):
        return {"valueDecimal": value}
    if isinstance(value, Mapping) and {"amount", "unit"} <= set(value):
        units = {"years": "a", "months": "mo", "weeks": "wk", "days": "d"}
        return {"valueQuantity": {"value": value["amount"], "unit": str(value["unit"]),
                                  "system": "http://unitsofmeasure.org",
                                  "code": units.get(str(value["unit"]), str(value["unit"]))}}
    if isinstance(value, str) and value:
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            return {"valueDate": value}
        return {"valueString": value}
    return None


def questionnaire_response(call_id: str, form: Mapping[str, Any] | None, *,
                           authored: float, completed: bool) -> FhirJson:
    """The triage form: one item per filled field (linkId = the field's name), each answer
    typed (string, date, decimal, integer, age as a UCUM quantity)."""
    items = []
    for name, field in (form or {}).items():
        values = field if isinstance(field, list) else [field]
        answers = []
        for v in values:
            if isinstance(v, Mapping) and "value" in v:
                a = _answer(v["value"])
                if a is not None:
                    answers.append(a)
        if answers:
            items.append({"linkId": name, "text": name.replace("_", " "), "answer": answers})
    return _validated({
        "resourceType": "QuestionnaireResponse",
        "id": call_id.replace("_", "-")[:64],
        "identifier": {"system": "urn:permanence:call", "value": call_id},
        "questionnaire": QUESTIONNAIRE,
        "status": "completed" if completed else "in-progress",
        "authored": datetime.fromtimestamp(authored, UTC).isoformat(),
        "item": items,
    })
