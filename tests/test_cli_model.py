"""`model ...` and `topics ...` on the command line, with the real model."""

import json

from networked_councillor.cli.main import main


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_classify_a_text_file_into_json_lines_in_order(capsys, tmp_path):
    source = tmp_path / "posts.txt"
    source.write_text("Bins missed again on Elm Road, third week running\n"
                      "The new trees in the park look lovely, thank you council\n"
                      "Planning committee meets on Tuesday at 7pm\n", encoding="utf-8")
    out = tmp_path / "tags.jsonl"
    code, printed, _ = run(capsys, "model", "classify", "--in", str(source), "--out", str(out))
    assert code == 0 and "Tagged 3 texts" in printed
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["text"][:4] for r in rows] == ["Bins", "The ", "Plan"]
    assert [r["topic"] for r in rows] == ["bins_recycling", "trees_parks_green_spaces", "planning_development"]
    assert [r["sentiment"] for r in rows] == ["negative", "positive", "neutral"]
    first = rows[0]
    assert set(first) == {"text", "topic", "topics", "topic_scores", "sentiment", "sentiment_score",
                          "topic_unsure", "sentiment_unsure"}
    assert len(first["topic_scores"]) == 19 and abs(sum(first["topic_scores"].values()) - 1) < 1e-3
    assert first["topics"][0] == {"id": "bins_recycling", "score": first["topic_scores"]["bins_recycling"]}


def test_classify_reads_the_text_column_of_a_csv(capsys, tmp_path):
    source = tmp_path / "posts.csv"
    source.write_text('id,Text\n1,"Street light out on Church Walk,\nreally dark"\n2,Fly-tipped sofa on Mill Lane\n',
                      encoding="utf-8-sig")
    out = tmp_path / "tags.jsonl"
    assert run(capsys, "model", "classify", "--in", str(source), "--out", str(out))[0] == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["topic"] for r in rows] == ["street_lighting", "litter_flytipping"]
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    code, _, err = run(capsys, "model", "classify", "--in", str(bad), "--out", str(out))
    assert code == 2 and "no 'text' column" in err


def test_evaluate_prints_per_class_figures_and_says_what_they_are_measured_on(capsys):
    code, out, _ = run(capsys, "model", "evaluate")
    assert code == 0
    for heading in ("Topic (int8 encoder", "Sentiment (int8 encoder", "precision", "recall", "F1", "accuracy",
                    "macro F1", "roads_pavements", "positive", "written for this repository (not real residents)",
                    "On real public posts", "General English tweets (SemEval-2017 test split)"):
        assert heading in out


def test_evaluate_scores_a_councils_own_labelled_spreadsheet(capsys, tmp_path):
    labelled = tmp_path / "our residents.csv"
    labelled.write_text(
        "Text,Topic,Sentiment\n"
        '"Bins missed again on Elm Road, third week running",bins_recycling,negative\n'
        "Street light out on Church Walk,street_lighting,\n"
        "Thank you for fixing the swings so quickly,,Positive\n"
        "   ,other,neutral\n", encoding="utf-8-sig")
    figures = tmp_path / "figures.json"
    code, out, _ = run(capsys, "model", "evaluate", "--data", str(labelled), "--json", str(figures))
    assert code == 0
    assert "Topic (int8 encoder, 2 posts from our residents.csv)" in out
    assert "Sentiment (int8 encoder, 2 posts from our residents.csv)" in out
    measured = json.loads(figures.read_text(encoding="utf-8"))["int8"]
    assert measured["topic"]["per_class"]["bins_recycling"]["n"] == 1
    assert measured["sentiment"]["per_class"]["positive"]["recall"] == 1.0

    labelled.write_text("text,topic\nPothole on the High Street,potholes\n", encoding="utf-8")
    code, _, err = run(capsys, "model", "evaluate", "--data", str(labelled))
    assert code == 2 and "row 2: unknown topic 'potholes'" in err
    labelled.write_text("text,notes\nPothole,x\n", encoding="utf-8")
    code, _, err = run(capsys, "model", "evaluate", "--data", str(labelled))
    assert code == 2 and "needs a 'text' column and a 'topic' or 'sentiment' column" in err


def test_info_names_the_model_in_use_and_its_honest_figures(capsys):
    code, out, _ = run(capsys, "model", "info")
    assert code == 0 and "all-MiniLM-L6-v2 (int8)" in out and "as shipped" in out
    assert "on real public posts it never trained on" in out and "UK MPs' tweets" in out
    assert "On posts written for this repository (not real residents)" in out
    assert "shown as unsure" in out


def test_a_bad_model_folder_is_refused_and_the_setting_kept(capsys, tmp_path):
    code, _, err = run(capsys, "model", "set", "encoder", str(tmp_path / "nowhere"))
    assert code == 2 and "not a Hugging Face model folder" in err
    code, out, _ = run(capsys, "model", "info")
    assert code == 0 and "own encoder" not in out
    code, _, err = run(capsys, "model", "set", "sentiment", str(tmp_path))
    assert code == 2 and "no config.json" in err


def test_user_topics_add_list_remove(capsys, server):
    from localserver import Reply

    url = server.route("/f", Reply(b'<rss version="2.0"><channel><item><guid>1</guid><description>The war memorial '
                                   b'by the church needs cleaning before Remembrance Sunday</description></item>'
                                   b"</channel></rss>"))
    run(capsys, "sources", "add", "rss", "Feed", "--set", f"url={url}")
    run(capsys, "fetch")
    code, out, _ = run(capsys, "topics", "add", "Local heritage", "--description",
                       "Local history, blue plaques, war memorials, conservation of old buildings and the heritage "
                       "society", "--example", "Blue plaque unveiled on the old mill")
    assert code == 0 and "local_heritage" in out and "Re-tagged 1 items" in out
    item = json.loads(run(capsys, "items", "list", "--all", "--json")[1].splitlines()[0])
    assert item["topic"] == "local_heritage"  # the stored item was re-tagged at once
    assert "local_heritage" in run(capsys, "topics", "list")[1]
    assert "local_heritage" in run(capsys, "model", "info")[1]
    assert run(capsys, "topics", "remove", "local_heritage")[0] == 0
    code, _, err = run(capsys, "topics", "remove", "roads_pavements")
    assert code == 2 and "cannot be removed" in err


def test_fetch_tags_the_demo_and_a_correction_sticks(capsys):
    run(capsys, "demo")
    code, out, _ = run(capsys, "items", "list", "--json", "--limit", "500", "--all")
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows and all(r["topic"] and r["sentiment"] for r in rows)
    target = rows[0]
    new_topic = "noise" if target["topic"] != "noise" else "parking"
    assert run(capsys, "model", "correct", str(target["id"]), "--topic", new_topic)[0] == 0
    assert f"Topic {new_topic}" in run(capsys, "items", "show", str(target["id"]))[1]
    code, _, err = run(capsys, "model", "correct", str(target["id"]), "--topic", "not_a_topic")
    assert code == 2 and "Unknown topic" in err
