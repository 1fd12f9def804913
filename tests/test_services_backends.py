"""Checks that run only where the production services are configured (CI run 2)."""

import asyncio
import json

import pytest
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection

from tests.conftest import STRICT, need, postgres_available, redis_available

# Skipped at collection, before any database fixture runs; the strict CI run never skips
# (need() fails there instead).
only_on_postgres = pytest.mark.skipif(
    not postgres_available() and not STRICT, reason="DATABASE_URL does not point at PostgreSQL"
)


@only_on_postgres
@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_full_text_search_stems_russian(client, demo_site):
    need(postgres_available(), "DATABASE_URL does not point at PostgreSQL")
    assert connection.vendor == "postgresql"
    # «статусом» shares the stem of «статус» in the news title only with Russian stemming.
    response = client.get("/search/", {"q": "статусом школы"})
    assert "/news/status-ibc-2026/" in response.content.decode()


@only_on_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_postgres_enforces_one_active_consent_under_concurrency(make_user):
    need(postgres_available(), "DATABASE_URL does not point at PostgreSQL")
    import threading

    from django.db import connections
    from django.utils import timezone

    from core.models import Consent, ConsentDocument
    from core.services.consent import consent_grant

    ConsentDocument.objects.create(
        purpose="personal_data",
        version="1.0",
        title="Согласие",
        text="…",
        published_at=timezone.now(),
    )
    user = make_user()
    barrier = threading.Barrier(8)
    errors = []

    def grant():
        try:
            barrier.wait()
            consent_grant(user=user, purpose="personal_data")
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=grant) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert Consent.objects.filter(user=user, withdrawn_at__isnull=True).count() == 1


@pytest.mark.redis
def test_redis_channel_layer_delivers_between_layer_instances():
    need(redis_available(), "REDIS_URL is not set")
    from channels_redis.core import RedisChannelLayer

    config = settings.CHANNEL_LAYERS["default"]
    assert config["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    assert config["CONFIG"]["hosts"][0]["socket_timeout"] is None

    async def round_trip():
        sender = get_channel_layer()
        # A second layer instance stands for a second web process.
        receiver = RedisChannelLayer(**config["CONFIG"])
        await receiver.group_add("healthz-test", channel := await receiver.new_channel())
        await sender.group_send("healthz-test", {"type": "ping", "n": 1})
        message = await asyncio.wait_for(receiver.receive(channel), timeout=5)
        await receiver.group_discard("healthz-test", channel)
        await receiver.flush()
        return message

    assert asyncio.run(round_trip())["n"] == 1


@pytest.mark.redis
@pytest.mark.django_db
def test_redis_backs_cache_and_sessions(client, make_user):
    need(redis_available(), "REDIS_URL is not set")
    from django.core.cache import cache

    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    cache.set("probe", "значение", 5)
    assert cache.get("probe") == "значение"
    client.force_login(make_user())
    assert client.get("/cabinet/").status_code == 200
    body = json.loads(client.get("/healthz").content)
    assert body["checks"]["cache"]["ok"] and body["checks"]["channel_layer"]["ok"]
