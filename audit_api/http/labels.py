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


PAGES: dict[str, dict[str, str]] = {
    "en": {
        "language": "Language", "send": "Send", "required": "Please answer this question.",
        "choose_one": "Please choose one of the answers.", "choose_listed": "Please choose from the listed answers.",
        "too_long": "Please shorten this answer.", "contact_needed": "Give an e-mail address or a phone number, or untick the box.",
        "bad_email": "This does not look like an e-mail address.", "bad_phone": "This does not look like a phone number.",
        "errors_title": "Please check these answers", "optional": "optional", "required_mark": "required",
        "contact_name": "Your name", "contact_email": "E-mail", "contact_phone": "Phone",
        "contact_hint": "Only if you ticked the box above; used only to answer you, deleted after {days} days.",
        "honeypot": "Leave this field empty", "thanks_title": "Thank you", "your_reward": "Your code",
        "complain": "Tell us what went wrong", "complaint_title": "Make a complaint",
        "complaint_intro": "We answer every complaint within {hours} hours. You get a ticket number at once.",
        "store": "Store", "choose_store": "Please choose the store.", "happened_on": "Date of the visit",
        "date_needed": "Please give the date (YYYY-MM-DD).", "date_future": "The date cannot be in the future.",
        "what": "What happened?", "desired": "What would put it right?",
        "desired_exchange": "An exchange", "desired_refund": "A refund", "desired_repair": "A repair",
        "desired_discount": "A discount", "desired_apology": "An apology", "desired_other": "Something else",
        "consent": "You may contact me about this complaint.",
        "ticket_title": "Complaint received", "ticket_number": "Your ticket number",
        "ticket_answer": "We will answer by {due}.", "status_link": "Follow your complaint",
        "status_title": "Complaint status", "status_lookup": "Look up a ticket", "ticket": "Ticket number",
        "state": "State", "received_at": "Received", "respond_by": "Answer due by", "acknowledged_at": "Acknowledged",
        "resolved_at": "Resolved", "closed_at": "Closed", "state_received": "Received",
        "state_acknowledged": "Acknowledged", "state_in_progress": "Being handled", "state_resolved": "Resolved",
        "state_closed": "Closed", "error_title": "Something is not right", "back": "Back",
        "scan_us": "Tell us how we did", "scan_hint": "Scan with your phone camera: two minutes, in your language.",
    },
    "bs": {
        "language": "Jezik", "send": "Pošalji", "required": "Molimo odgovorite na ovo pitanje.",
        "choose_one": "Molimo odaberite jedan od odgovora.", "choose_listed": "Molimo birajte među ponuđenim odgovorima.",
        "too_long": "Molimo skratite odgovor.", "contact_needed": "Unesite e-poštu ili broj telefona, ili uklonite kvačicu.",
        "bad_email": "Ovo ne izgleda kao adresa e-pošte.", "bad_phone": "Ovo ne izgleda kao broj telefona.",
        "errors_title": "Molimo provjerite ove odgovore", "optional": "nije obavezno", "required_mark": "obavezno",
        "contact_name": "Vaše ime", "contact_email": "E-pošta", "contact_phone": "Telefon",
        "contact_hint": "Samo ako ste označili polje iznad; koristimo samo da vam odgovorimo, brišemo nakon {days} dana.",
        "honeypot": "Ostavite ovo polje prazno", "thanks_title": "Hvala vam", "your_reward": "Vaš kod",
        "complain": "Recite nam šta nije bilo u redu", "complaint_title": "Podnesite pritužbu",
        "complaint_intro": "Na svaku pritužbu odgovaramo u roku od {hours} sati. Broj prijave dobijate odmah.",
        "store": "Prodavnica", "choose_store": "Molimo odaberite prodavnicu.", "happened_on": "Datum posjete",
        "date_needed": "Molimo unesite datum (GGGG-MM-DD).", "date_future": "Datum ne može biti u budućnosti.",
        "what": "Šta se dogodilo?", "desired": "Šta bi to ispravilo?",
        "desired_exchange": "Zamjena", "desired_refund": "Povrat novca", "desired_repair": "Popravka",
        "desired_discount": "Popust", "desired_apology": "Izvinjenje", "desired_other": "Nešto drugo",
        "consent": "Možete me kontaktirati u vezi s ovom pritužbom.",
        "ticket_title": "Pritužba je primljena", "ticket_number": "Vaš broj prijave",
        "ticket_answer": "Odgovorit ćemo do {due}.", "status_link": "Pratite svoju pritužbu",
        "status_title": "Status pritužbe", "status_lookup": "Provjerite prijavu", "ticket": "Broj prijave",
        "state": "Stanje", "received_at": "Primljeno", "respond_by": "Odgovor do", "acknowledged_at": "Potvrđeno",
        "resolved_at": "Riješeno", "closed_at": "Zatvoreno", "state_received": "Primljeno",
        "state_acknowledged": "Potvrđeno", "state_in_progress": "U obradi", "state_resolved": "Riješeno",
        "state_closed": "Zatvoreno", "error_title": "Nešto nije u redu", "back": "Nazad",
        "scan_us": "Recite nam kako smo bili", "scan_hint": "Skenirajte kamerom telefona: dvije minute, na vašem jeziku.",
    },
    "ru": {
        "language": "Язык", "send": "Отправить", "required": "Пожалуйста, ответьте на этот вопрос.",
        "choose_one": "Пожалуйста, выберите один из ответов.", "choose_listed": "Пожалуйста, выберите из предложенных ответов.",
        "too_long": "Пожалуйста, сократите ответ.", "contact_needed": "Укажите почту или телефон либо снимите отметку.",
        "bad_email": "Это не похоже на адрес электронной почты.", "bad_phone": "Это не похоже на номер телефона.",
        "errors_title": "Пожалуйста, проверьте ответы", "optional": "необязательно", "required_mark": "обязательно",
        "contact_name": "Ваше имя", "contact_email": "Электронная почта", "contact_phone": "Телефон",
        "contact_hint": "Только если вы поставили отметку выше; используем только для ответа, удаляем через {days} дней.",
        "honeypot": "Оставьте это поле пустым", "thanks_title": "Спасибо", "your_reward": "Ваш код",
        "complain": "Расскажите, что пошло не так", "complaint_title": "Подать жалобу",
        "complaint_intro": "Мы отвечаем на каждую жалобу в течение {hours} часов. Номер обращения вы получите сразу.",
        "store": "Магазин", "choose_store": "Пожалуйста, выберите магазин.", "happened_on": "Дата визита",
        "date_needed": "Пожалуйста, укажите дату (ГГГГ-ММ-ДД).", "date_future": "Дата не может быть в будущем.",
        "what": "Что произошло?", "desired": "Что исправит ситуацию?",
        "desired_exchange": "Обмен", "desired_refund": "Возврат денег", "desired_repair": "Ремонт",
        "desired_discount": "Скидка", "desired_apology": "Извинение", "desired_other": "Другое",
        "consent": "Со мной можно связаться по поводу этой жалобы.",
        "ticket_title": "Жалоба принята", "ticket_number": "Ваш номер обращения",
        "ticket_answer": "Мы ответим до {due}.", "status_link": "Следить за жалобой",
        "status_title": "Статус жалобы", "status_lookup": "Найти обращение", "ticket": "Номер обращения",
        "state": "Статус", "received_at": "Получена", "respond_by": "Ответ до", "acknowledged_at": "Подтверждена",
        "resolved_at": "Решена", "closed_at": "Закрыта", "state_received": "Получена",
        "state_acknowledged": "Подтверждена", "state_in_progress": "В работе", "state_resolved": "Решена",
        "state_closed": "Закрыта", "error_title": "Что-то не так", "back": "Назад",
        "scan_us": "Расскажите, как мы справились", "scan_hint": "Отсканируйте камерой телефона: две минуты, на вашем языке.",
    },
}


def labels(lang: str) -> dict[str, str]:
    return {**LABELS["en"], **LABELS.get(lang, {}), **PAGES["en"], **PAGES.get(lang, {})}

LANGUAGE_NAMES = {"en": "English", "bs": "Bosanski", "ru": "Русский", "bg": "Български", "es": "Español", "sw": "Kiswahili"}
