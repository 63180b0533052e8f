"""Environment errors become Danish messages naming the path and what to do."""

import errno

from pipeline import errors


def test_a_full_disk_names_the_path_and_what_to_do():
    text = errors.describe_environment(OSError(errno.ENOSPC, "No space left on device", "/srv/reports/x.html"))
    assert text.startswith("Der er ikke mere plads på disken ved /srv/reports/x.html") and "frigør plads" in text
    assert errors.is_environment(OSError(errno.ENOSPC, "x"))


def test_read_only_and_permission_errors_say_what_to_do():
    assert "skrivebeskyttet" in errors.describe_environment(OSError(errno.EROFS, "Read-only", "/srv"))
    text = errors.describe_environment(PermissionError(errno.EACCES, "Permission denied", "/srv/reports"))
    assert "Ingen adgang til /srv/reports" in text and "skriveadgang" in text


def test_other_os_errors_are_not_environment_errors_but_still_get_a_message():
    error = FileNotFoundError(errno.ENOENT, "No such file", "/nope")
    assert not errors.is_environment(error)
    assert "/nope" in errors.describe_environment(error)
