"""The site's own words (page titles, day names, "open now"), per language; English fills any gap."""

from __future__ import annotations

SITE: dict[str, dict[str, str]] = {
    "en": {
        "home": "Home", "faq": "Questions and answers", "complaints": "Complaints", "stores": "Stores",
        "contacts": "Contact us", "find_store": "Find a store", "search_stores": "Search by name, city or street",
        "hours": "Opening hours", "exceptions": "Changes to the hours", "closed": "Closed", "map": "Show on the map",
        "phone": "Phone", "email": "E-mail", "address": "Address", "open_now": "Open now, until {time}",
        "closed_now": "Closed now", "make_complaint": "Make a complaint", "track_complaint": "Follow a complaint with its ticket number",
        "targets": "We confirm every complaint within {ack} hours and answer it within {respond} hours.",
        "procedure_intro": "If something went wrong, tell us. This is what happens next:",
        "languages": "Languages", "times_local": "Times are local to the store ({tz}).",
        "mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday", "fri": "Friday", "sat": "Saturday", "sun": "Sunday",
    },
    "bs": {
        "home": "Početna", "faq": "Pitanja i odgovori", "complaints": "Pritužbe", "stores": "Prodavnice",
        "contacts": "Kontakt", "find_store": "Pronađite prodavnicu", "search_stores": "Pretražite po imenu, gradu ili ulici",
        "hours": "Radno vrijeme", "exceptions": "Izmjene radnog vremena", "closed": "Zatvoreno", "map": "Prikaži na karti",
        "phone": "Telefon", "email": "E-pošta", "address": "Adresa", "open_now": "Sada otvoreno, do {time}",
        "closed_now": "Sada zatvoreno", "make_complaint": "Podnesite pritužbu", "track_complaint": "Pratite pritužbu pomoću broja prijave",
        "targets": "Svaku pritužbu potvrđujemo u roku od {ack} sata i odgovaramo u roku od {respond} sati.",
        "procedure_intro": "Ako nešto nije bilo u redu, recite nam. Evo šta se dalje dešava:",
        "languages": "Jezici", "times_local": "Vrijeme je lokalno za prodavnicu ({tz}).",
        "mon": "Ponedjeljak", "tue": "Utorak", "wed": "Srijeda", "thu": "Četvrtak", "fri": "Petak", "sat": "Subota", "sun": "Nedjelja",
    },
    "ru": {
        "home": "Главная", "faq": "Вопросы и ответы", "complaints": "Жалобы", "stores": "Магазины",
        "contacts": "Контакты", "find_store": "Найти магазин", "search_stores": "Поиск по названию, городу или улице",
        "hours": "Часы работы", "exceptions": "Изменения в часах работы", "closed": "Закрыто", "map": "Показать на карте",
        "phone": "Телефон", "email": "Электронная почта", "address": "Адрес", "open_now": "Сейчас открыто, до {time}",
        "closed_now": "Сейчас закрыто", "make_complaint": "Подать жалобу", "track_complaint": "Следить за жалобой по номеру обращения",
        "targets": "Мы подтверждаем каждую жалобу в течение {ack} часов и отвечаем на неё в течение {respond} часов.",
        "procedure_intro": "Если что-то пошло не так, расскажите нам. Вот что будет дальше:",
        "languages": "Языки", "times_local": "Время местное для магазина ({tz}).",
        "mon": "Понедельник", "tue": "Вторник", "wed": "Среда", "thu": "Четверг", "fri": "Пятница", "sat": "Суббота", "sun": "Воскресенье",
    },
}


def site_labels(lang: str) -> dict[str, str]:
    return {**SITE["en"], **SITE.get(lang, {})}
