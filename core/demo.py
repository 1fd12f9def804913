"""Demo data of the kernel: consent texts, districts, organisations, one user per role."""

import datetime as dt

from django.contrib.auth.models import Group
from django.utils import timezone

from core.models import (
    ConsentDocument,
    ConsentPurpose,
    District,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    User,
)
from core.models.organisations import IbcStatus
from core.roles import role_group_name
from core.services.roles import roles_sync

# Printed by seed_demo; demo only — never load the demo into production.
DEMO_ACCOUNTS = [
    ("participant", "participant@demo.ibc-portal.ru", "demo-participant-2026"),
    ("methodist", "methodist@demo.ibc-portal.ru", "demo-methodist-2026"),
    ("expert", "expert@demo.ibc-portal.ru", "demo-expert-2026"),
    ("moderator", "moderator@demo.ibc-portal.ru", "demo-moderator-2026"),
    ("head", "head@demo.ibc-portal.ru", "demo-head-2026"),
    ("administrator", "admin@demo.ibc-portal.ru", "demo-admin-2026"),
]
DEMO_NAMES = {
    "participant": ("Соколова", "Анна", "Петровна", "педагог-библиотекарь"),
    "methodist": ("Кузнецова", "Ирина", "Викторовна", "методист"),
    "expert": ("Морозов", "Сергей", "Алексеевич", "эксперт"),
    "moderator": ("Лебедева", "Ольга", "Николаевна", "модератор семинаров"),
    "head": ("Васильева", "Елена", "Михайловна", "начальник отдела"),
    "administrator": ("Новиков", "Дмитрий", "Игоревич", "администратор портала"),
}

CONSENT_TEXTS = {
    ConsentPurpose.PERSONAL_DATA: (
        "Согласие на обработку персональных данных",
        "Я, действуя свободно, своей волей и в своём интересе, даю согласие отделу "
        "методического сопровождения школьных библиотек на обработку моих персональных "
        "данных: фамилии, имени, отчества, адреса электронной почты, телефона, должности и "
        "места работы — в целях регистрации на портале, участия в обучающих мероприятиях, "
        "получения методической помощи и подготовки документов об обучении.\n\n"
        "Обработка включает сбор, запись, систематизацию, накопление, хранение, уточнение, "
        "использование, обезличивание, блокирование и уничтожение, с использованием средств "
        "автоматизации и без них (Федеральный закон от 27.07.2006 № 152-ФЗ).\n\n"
        "Согласие действует до его отзыва. Отозвать согласие можно в личном кабинете "
        "или письменным заявлением.",
    ),
    ConsentPurpose.MAILING: (
        "Согласие на получение информационных рассылок",
        "Я согласен(на) получать на адрес электронной почты сообщения о курсах, семинарах, "
        "новых методических материалах и мероприятиях отдела. Отказаться можно в личном "
        "кабинете в любой момент.",
    ),
    ConsentPurpose.PUBLISH_NAME: (
        "Согласие на публикацию фамилии, имени и отчества",
        "Я согласен(на) на публикацию моих фамилии, имени, отчества, должности и места "
        "работы на портале вместе с подготовленными мной материалами (описаниями опыта, "
        "методическими разработками).",
    ),
}

DISTRICTS = [
    "Городской округ Северный",
    "Городской округ Приморский",
    "Заречный муниципальный район",
    "Лесной муниципальный округ",
    "Озёрный муниципальный район",
    "Степной муниципальный округ",
    "Горный муниципальный район",
    "Речной муниципальный округ",
]

# (short name, kind, district index, IBC?)
ORGANISATIONS = [
    ("МБОУ «СОШ № 1»", "school", 0, True),
    ("МБОУ «СОШ № 5»", "school", 0, False),
    ("МАОУ «Лицей № 3»", "school", 0, True),
    ("МБОУ «Гимназия № 2»", "school", 0, False),
    ("КГБПОУ «Северный педагогический колледж»", "college", 0, False),
    ("МБОУ «СОШ № 12»", "school", 1, True),
    ("МБОУ «СОШ № 14»", "school", 1, False),
    ("МАОУ «Гимназия № 7»", "school", 1, False),
    ("КГБПОУ «Приморский технический колледж»", "college", 1, False),
    ("КГБПОУ «Приморский колледж сервиса»", "college", 1, False),
    ("МБОУ «Заречная СОШ»", "school", 2, False),
    ("МБОУ «Ключевская ООШ»", "school", 2, False),
    ("МБОУ «Берёзовская СОШ»", "school", 2, True),
    ("МБОУ «Лесная СОШ № 1»", "school", 3, False),
    ("МБОУ «Сосновская СОШ»", "school", 3, False),
    ("КГБПОУ «Лесной аграрный техникум»", "college", 3, False),
    ("МБОУ «Озёрная СОШ»", "school", 4, False),
    ("МБОУ «Камышовская ООШ»", "school", 4, False),
    ("МАОУ «Озёрный лицей»", "school", 4, True),
    ("МБОУ «Степная СОШ № 1»", "school", 5, False),
    ("МБОУ «Полевская СОШ»", "school", 5, False),
    ("КГБПОУ «Степной многопрофильный колледж»", "college", 5, False),
    ("МБОУ «Горная СОШ»", "school", 6, False),
    ("МБОУ «Каменская СОШ»", "school", 6, False),
    ("КГБПОУ «Горный горно-технический колледж»", "college", 6, False),
    ("МБОУ «Речная СОШ № 2»", "school", 7, True),
    ("МБОУ «Островская ООШ»", "school", 7, False),
    ("МАОУ «Речной кадетский корпус»", "school", 7, False),
    ("КГБПОУ «Речной медицинский колледж»", "college", 7, False),
    ("Краевая детская библиотека", "other", 0, False),
]

FULL_NAME_PREFIXES = {
    "МБОУ": "Муниципальное бюджетное общеобразовательное учреждение",
    "МАОУ": "Муниципальное автономное общеобразовательное учреждение",
    "КГБПОУ": "Краевое государственное бюджетное профессиональное образовательное учреждение",
}


def _full_name(short_name: str) -> str:
    prefix, _, rest = short_name.partition(" ")
    return f"{FULL_NAME_PREFIXES[prefix]} {rest}" if prefix in FULL_NAME_PREFIXES else short_name


def seed(log) -> None:
    roles_sync()
    published = timezone.make_aware(dt.datetime(2026, 1, 1))
    for purpose, (title, text) in CONSENT_TEXTS.items():
        ConsentDocument.objects.get_or_create(
            purpose=purpose,
            version="1.0",
            defaults={"title": title, "text": text, "published_at": published},
        )
    districts = [District.objects.get_or_create(name=name)[0] for name in DISTRICTS]
    organisations = []
    for number, (short_name, kind, district_index, is_ibc) in enumerate(ORGANISATIONS, start=1):
        organisation, created = Organisation.objects.get_or_create(
            name=_full_name(short_name),
            district=districts[district_index],
            defaults={
                "short_name": short_name,
                "kind": OrganisationKind(kind),
                "address": f"{districts[district_index].name}, ул. Школьная, д. {number}",
                "ibc_status": IbcStatus.IBC if is_ibc else IbcStatus.NONE,
                "ibc_status_since": dt.date(2025, 5, 20) if is_ibc else None,
            },
        )
        organisations.append(organisation)
    log(f"  registry: {len(districts)} districts, {len(organisations)} organisations")
    for role, email, password in DEMO_ACCOUNTS:
        last_name, first_name, patronymic, position = DEMO_NAMES[role]
        user, created = User.objects.get_or_create(
            email=email,
            defaults={
                "last_name": last_name,
                "first_name": first_name,
                "patronymic": patronymic,
                "position": position,
                "is_staff": role in {"methodist", "head", "administrator"},
                "is_superuser": role == "administrator",
                "email_confirmed_at": published,
            },
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=role_group_name(role)))
            if role == "participant":
                Membership.objects.create(
                    user=user,
                    organisation=organisations[0],
                    role=MembershipRole.MONITORING,
                    is_confirmed=True,
                )
    log(f"  accounts: {len(DEMO_ACCOUNTS)} demo users")
