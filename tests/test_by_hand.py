"""Posts added by hand and emails imported from the command line: talk from places the app must not scrape."""

import pytest
from mailfiles import resident_email, write
from PySide6.QtGui import QColor, QGuiApplication, QImage

from networked_councillor.app import App
from networked_councillor.base.errors import ConfigError
from networked_councillor.cli.main import main
from networked_councillor.ingest.by_hand import HandPost, site_of, to_item
from networked_councillor.store import attachments
from networked_councillor.store import inbox as inbox_store
from networked_councillor.ui import add_post


@pytest.mark.parametrize("link, place", [
    ("https://www.facebook.com/groups/millbrookresidents/posts/1234", "Facebook group"),
    ("nextdoor.co.uk/p/abc", "Nextdoor"),
    ("https://chat.whatsapp.com/Ab12", "WhatsApp"),
    ("https://x.com/someone/status/1", "X (Twitter)"),
    ("https://notfacebook.com/x", ""),
    ("https://millbrook-forum.example.org/t/1", ""),
])
def test_a_link_from_a_known_site_says_where_the_post_was(link, place):
    assert site_of(link) == place


def test_a_post_needs_words_and_a_link_must_be_a_web_address():
    with pytest.raises(ConfigError, match="needs its words"):
        to_item(HandPost("   "))
    with pytest.raises(ConfigError, match="not a web address"):
        to_item(HandPost("Bins not collected", link="javascript:alert(1)"))


def test_a_post_added_by_hand_is_tagged_relevant_and_kept_with_its_picture(tmp_path, capsys):
    data = tmp_path / "data"
    picture = tmp_path / "bins.jpg"
    picture.write_bytes(b"\xff\xd8\xff\xe0 a photo of the bins")
    code = main(["--data-dir", str(data), "items", "add", "The bins on Station Road were not collected again.",
                 "--link", "https://www.facebook.com/groups/millbrook/posts/99", "--who", "Pat Jones",
                 "--image", str(picture)])
    assert code == 0 and "Added as item 1" in capsys.readouterr().out
    with App(data, log_to_file=False) as app, app.store.read() as db:
        item = inbox_store.detail(db, 1)
        kept = attachments.of_item(db, 1)
    assert item["extra"]["where"] == "Facebook group" and item["author_name"] == "Pat Jones"
    assert item["source_name"] == "Posts added by hand" and item["relevance"] > 0
    assert [k["name"] for k in kept] == ["bins.jpg"]


def test_items_import_brings_in_emails_and_names_what_it_could_not_read(tmp_path, capsys):
    good = write(tmp_path, "a.eml", resident_email("a@example.org"))
    bad = write(tmp_path, "b.eml", b"not an email")
    code = main(["--data-dir", str(tmp_path / "data"), "items", "import", str(good), str(bad)])
    out, err = capsys.readouterr()
    assert code == 1 and "Emails: 1 brought in, 1 could not be read." in out
    assert "b.eml does not look like an email" in err


def test_the_window_adds_a_post_by_hand_with_a_pasted_picture(window, monkeypatch):
    image = QImage(8, 8, QImage.Format.Format_RGB32)
    image.fill(QColor("green"))
    QGuiApplication.clipboard().setImage(image)

    def fill_in(dialog):
        dialog.text.setPlainText("Anyone else had their car clipped on the Mill Lane speed bumps? Third one this week.")
        dialog.link.setText("https://nextdoor.co.uk/p/xyz")
        dialog.who.setText("R. Singh")
        dialog.paste_picture()
        assert dialog.where.currentText() == "Nextdoor" and dialog.pictures.text() == "pasted-1.png"
        return True

    monkeypatch.setattr(add_post.AddPostDialog, "exec", fill_in)
    window.add_post_action.trigger()
    detail = window.detail
    assert detail.item["text"].startswith("Anyone else had their car clipped")
    assert "Nextdoor (added by hand)" in detail.meta.text() and "pasted-1.png" in detail.attachments.text()
    assert detail.item["topic"]  # tagged like any other post
