import factory
from django.contrib.auth.models import Group

from core.models import District, Membership, Organisation, User
from core.roles import role_group_name

DEFAULT_PASSWORD = "Sekret-pass-2026"


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Муниципальный округ № {n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"МБОУ «СОШ № {n}»")
    district = factory.SubFactory(DistrictFactory)
    kind = "school"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    last_name = "Иванова"
    first_name = "Мария"
    patronymic = "Сергеевна"
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get_or_create(name=role_group_name(extracted))[0])
        if create:
            self.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
