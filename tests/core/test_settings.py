import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run_settings(env_overrides: dict[str, str], code: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "DJANGO_ENV", "ALLOWED_HOSTS"}
    }
    env.update(env_overrides)
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_secret_key_stops_with_a_clear_message():
    result = run_settings(
        {"DJANGO_ENV": "production", "ALLOWED_HOSTS": "portal.example.ru"},
        "import config.settings",
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_without_allowed_hosts_stops():
    result = run_settings(
        {"DJANGO_ENV": "production", "SECRET_KEY": "x" * 60}, "import config.settings"
    )
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_development_key_is_generated_once_and_shared_by_processes(tmp_path):
    code = "import config.settings as s; print(s.SECRET_KEY)"
    first = run_settings({"VAR_DIR": str(tmp_path)}, code)
    second = run_settings({"VAR_DIR": str(tmp_path)}, code)
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    assert len(key) >= 50
    assert second.stdout.strip() == key
    assert (tmp_path / "secret_key").read_text().strip() == key
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_unknown_plugin_name_is_rejected():
    result = run_settings({"PORTAL_PLUGINS": "lms,nonsense"}, "import config.settings")
    assert result.returncode != 0
    assert "Unknown PORTAL_PLUGINS: nonsense" in result.stderr


def test_check_deploy_is_clean_in_production_mode():
    result = run_settings(
        {
            "DJANGO_ENV": "production",
            "SECRET_KEY": "k" * 30 + "Z9#mQ2$vL8@pR5!xT1&wN4^bH7*cJ3%",
            "ALLOWED_HOSTS": "portal.example.ru",
        },
        "import sys; from django.core.management import execute_from_command_line; "
        "import os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings'); "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
