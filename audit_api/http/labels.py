"""The product's own words on pages it renders (the report), per language; English fills any gap.

The chain's texts live in the book; these are the product's labels around them.
"""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "report": "Audit report", "store": "Store", "checklist": "Checklist", "version": "version",
        "auditor": "Auditor", "visited": "Visited", "submitted": "Submitted", "revision": "revision",
        "state": "State", "total": "Total score", "computed": "before the critical cap",
        "stages": "Stages", "stage": "Stage", "weight": "Weight", "score": "Score", "na": "N/A",
        "failed": "Failed items", "critical": "critical", "comment": "Comment", "none": "None",
        "flags": "Proof-of-visit flags", "photos": "Photos and receipts", "staff": "Staff observed",
        "scenario": "Scenario", "not_submitted": "No audit has been submitted for this visit yet.",
        "incomplete": "Incomplete: photos missing for", "critical_failed": "A critical item failed.",
    },
    "bs": {
        "report": "Izvještaj o provjeri", "store": "Prodavnica", "checklist": "Kontrolna lista", "version": "verzija",
        "auditor": "Kontrolor", "visited": "Posjeta", "submitted": "Predano", "revision": "revizija",
        "state": "Stanje", "total": "Ukupna ocjena", "computed": "prije ograničenja za kritične stavke",
        "stages": "Faze", "stage": "Faza", "weight": "Težina", "score": "Ocjena", "na": "N/P",
        "failed": "Neispunjene stavke", "critical": "kritično", "comment": "Komentar", "none": "Nema",
        "flags": "Oznake dokaza posjete", "photos": "Fotografije i računi", "staff": "Zaposlenik",
        "scenario": "Scenarij", "not_submitted": "Za ovu posjetu još nije predana provjera.",
        "incomplete": "Nepotpuno: nedostaju fotografije za", "critical_failed": "Kritična stavka nije ispunjena.",
    },
    "ru": {
        "report": "Отчёт о проверке", "store": "Магазин", "checklist": "Чек-лист", "version": "версия",
        "auditor": "Аудитор", "visited": "Визит", "submitted": "Отправлено", "revision": "редакция",
        "state": "Статус", "total": "Итоговая оценка", "computed": "до ограничения за критичные пункты",
        "stages": "Этапы", "stage": "Этап", "weight": "Вес", "score": "Оценка", "na": "Н/П",
        "failed": "Невыполненные пункты", "critical": "критично", "comment": "Комментарий", "none": "Нет",
        "flags": "Отметки о подтверждении визита", "photos": "Фото и чеки", "staff": "Сотрудник",
        "scenario": "Сценарий", "not_submitted": "По этому визиту проверка ещё не отправлена.",
        "incomplete": "Не завершено: нет фото для", "critical_failed": "Критичный пункт не выполнен.",
    },
}


def labels(lang: str) -> dict[str, str]:
    return {**LABELS["en"], **LABELS.get(lang, {})}
