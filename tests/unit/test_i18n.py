"""One translation mechanism: every string given to _() has an English translation."""

from commune_desk import i18n
from commune_desk.devtools.i18n_check import missing, source_strings


def test_every_visible_string_has_an_english_translation():
    todo = missing()
    assert not todo, "untranslated (run python -m commune_desk.devtools.i18n_check):\n" + "\n".join(
        f"{where}: {msgid}" for msgid, where in list(todo.items())[:40])


def test_switching_language_changes_strings():
    msgid = "Sai tên đăng nhập hoặc mật khẩu."
    assert msgid in source_strings()
    i18n.set_language("en")
    try:
        assert i18n._(msgid) != msgid
        assert i18n._(msgid).isascii()
    finally:
        i18n.set_language("vi")
    assert i18n._(msgid) == msgid


def test_placeholders_survive_translation():
    catalog = i18n.load_catalog("en")
    import re

    bad = []
    for msgid, msgstr in catalog.items():
        if set(re.findall(r"\{(\w*)\}", msgid)) != set(re.findall(r"\{(\w*)\}", msgstr)):
            bad.append(msgid)
    assert not bad, bad
