"""Certificate templates in the Wagtail admin: created with signatories and a revision,
placeholders checked, and a template that issued documents use cannot be deleted."""

import pytest
from django.urls import reverse

from lms.certificates.models import Certificate, CertificateTemplate
from lms.certificates.services.issuing import certificate_issue_for_enrollment
from tests.lms.certificates.builders import completed_enrollment, make_template

pytestmark = pytest.mark.django_db

ADMIN_URLS = "wagtailsnippets_certificates_certificatetemplate"


@pytest.fixture
def methodist_client(client, make_user):
    client.force_login(make_user("methodist"))
    return client


def _form_data(**overrides):
    data = {
        "title": "Удостоверение 2027",
        "kind": "qualification",
        "is_default": "on",
        "orientation": "portrait",
        "organisation": "ГАУ ДПО «Институт развития образования»",
        "city": "Краснодар",
        "organisation_details": "",
        "heading": "Удостоверение",
        "subheading": "о повышении квалификации",
        "body": "{full_name} освоил(а) программу «{programme}» ({hours} ч.)",
        "logo": "",
        "background": "",
        "signatories-TOTAL_FORMS": "1",
        "signatories-INITIAL_FORMS": "0",
        "signatories-MIN_NUM_FORMS": "0",
        "signatories-MAX_NUM_FORMS": "1000",
        "signatories-0-position": "Ректор",
        "signatories-0-name": "Е. В. Смирнова",
        "signatories-0-signature": "",
        "signatories-0-ORDER": "1",
        "signatories-0-id": "",
        "signatories-0-DELETE": "",
    }
    data.update(overrides)
    return data


def test_a_methodist_creates_a_template_with_a_signatory_and_a_revision(methodist_client):
    response = methodist_client.post(reverse(f"{ADMIN_URLS}:add"), _form_data())
    assert response.status_code == 302, response.context["form"].errors
    template = CertificateTemplate.objects.get()
    assert [s.name for s in template.signatories.all()] == ["Е. В. Смирнова"]
    assert template.latest_revision is not None
    assert template.latest_revision.content["heading"] == "Удостоверение"


def test_unknown_placeholders_are_refused_and_the_form_kept(methodist_client):
    response = methodist_client.post(
        reverse(f"{ADMIN_URLS}:add"), _form_data(body="{full_name} — {programm}")
    )
    assert response.status_code == 200
    assert "body" in response.context["form"].errors
    assert "{programm}" in response.content.decode()
    assert not CertificateTemplate.objects.exists()


def test_a_template_used_by_issued_documents_is_not_deleted(methodist_client, make_user):
    template = make_template()
    certificate_issue_for_enrollment(enrollment=completed_enrollment(make_user()))
    response = methodist_client.post(reverse(f"{ADMIN_URLS}:delete", args=[template.pk]))
    assert response.status_code == 302
    assert CertificateTemplate.objects.filter(pk=template.pk).exists()
    assert Certificate.objects.count() == 1


def test_participants_cannot_reach_the_templates(client, make_user):
    client.force_login(make_user("participant"))
    response = client.get(reverse(f"{ADMIN_URLS}:list"))
    assert response.status_code in (302, 403)
