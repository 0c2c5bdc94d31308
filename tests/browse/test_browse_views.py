"""Home, class pages, search and the domain views, as a person sees them."""

from __future__ import annotations

import csv
import io
import re

from browse_helpers import links, visible_text


def test_home_says_what_the_dataset_is_with_counts_and_entry_points(web):
    body = web.get("/").get_data(as_text=True)
    text = visible_text(body)
    assert "Altenhilfe- und Pflegeplanung" in text
    assert re.search(r"Handlungsfeld \d*\s*14 ", text)  # 14 action fields
    found = links(body)
    assert found["Handlungsfeld"] == "/class/ActionField"
    for entry in ("Handlungsfelder nach Priorität", "ISEK-Querbezug", "Zeitleiste 2023–2030", "Zielgruppen"):
        assert entry in found


def test_class_page_lists_every_instance_by_label(web):
    body = web.get("/class/ActionField").get_data(as_text=True)
    found = links(body)
    assert found["Wohnen"] == "/id/03101000/handlungsfeld/wohnen"
    assert "Hospiz und Palliativversorgung" in " ".join(found)
    assert len(re.findall(r'href="/id/03101000/handlungsfeld/', body)) == 14
    text = visible_text(web.get("/class/Measure").get_data(as_text=True))
    assert "Modellprojekt" in text  # subclass instances, typed
    missing = web.get("/class/NoSuchClass")
    assert missing.status_code == 404
    assert "Nichts bekannt über diese Ressource" in visible_text(missing.get_data(as_text=True))


def test_search_finds_words_inside_compounds_and_folds_umlauts(web):
    body = web.get("/search?q=Pflege").get_data(as_text=True)
    assert "Wohn-<mark>Pflege</mark>-Gemeinschaften" in body
    for q in ("Pruefung", "prufung", "PRÜFUNG"):
        text = visible_text(web.get(f"/search?q={q}").get_data(as_text=True))
        assert "Prüfung der Inanspruchnahme geeigneter Förderrichtlinien" in text, q
    body = web.get("/search?q=Massnahme").get_data(as_text=True)
    assert "<mark>Maßnahme</mark>" in body
    text = visible_text(web.get("/search?q=zzzqqq").get_data(as_text=True))
    assert "0 Treffer" in text


def test_action_field_overview_shows_stated_priority_and_horizon(web):
    body = web.get("/views/action-fields").get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", body, flags=re.S)
    assert len(rows) == 14
    by_field = {visible_text(r.split("</th>")[0]): r for r in rows}
    wohnen = by_field["Wohnen"]
    assert "„1“" in visible_text(wohnen)
    assert re.findall(r'class="cell (\w+)"', wohnen) == ["on", "off", "off"]
    beratung = by_field["Beratung/Information"]
    assert "„1 – 3“" in visible_text(beratung) and "Dauerthema" in visible_text(beratung)
    assert re.findall(r'class="cell (\w+)"', beratung) == ["ongoing"] * 3


def _matrix(body):
    head = re.search(r"<thead>(.*?)</thead>", body, flags=re.S).group(1)
    columns = [visible_text(c).replace(" (Lücke)", "") for c in
               re.findall(r'<th scope="col" class="objective[^"]*">(.*?)</th>', head, flags=re.S)]
    gap_columns = [visible_text(c).replace(" (Lücke)", "") for c in
                   re.findall(r'<th scope="col" class="objective gap">(.*?)</th>', head, flags=re.S)]
    rows = {}
    for row in re.findall(r"<tr[^>]*>\s*<th scope=\"row\">.*?</tr>", body, flags=re.S):
        name = visible_text(re.search(r'<th scope="row">(.*?)</th>', row, flags=re.S).group(1))
        cells = re.findall(r"<td class=\"([^\"]*)\">(.*?)</td>", row, flags=re.S)
        rows[name.replace(" Lücke", "")] = (row, dict(zip(columns, cells, strict=True)))
    return columns, gap_columns, rows


def test_isek_matrix_cells_link_to_what_connects_them(web):
    body = web.get("/views/isek").get_data(as_text=True)
    columns, gaps, rows = _matrix(body)
    assert "Heimat bieten, vielfältiger und bezahlbarer Wohnraum" in columns
    assert "Die Stadt kompakt weiterbauen" in columns  # a Leitziel
    _, cells = rows["Wohnen"]
    cls, inner = cells["Heimat bieten, vielfältiger und bezahlbarer Wohnraum"]
    assert "editorial" in cls and "redaktionell" in visible_text(inner)
    assert 'href="/id/03101000/redaktionell/wohnen-isek-wohnraum"' in inner
    assert cells["Umwelt"][1].strip() == ""


def test_isek_matrix_shows_empty_rows_and_columns_as_gaps(web):
    body = web.get("/views/isek").get_data(as_text=True)
    columns, gaps, rows = _matrix(body)
    assert "Sichere Stadt" in gaps and "Umwelt" in gaps
    assert "Heimat bieten, vielfältiger und bezahlbarer Wohnraum" not in gaps
    row, cells = rows["Beratung/Information"]
    assert 'class="gap"' in row.split(">")[0] + ">" and "Lücke" in visible_text(row)
    assert all(inner.strip() == "" for _, inner in cells.values())
    text = visible_text(body)
    assert "belegt" in text and "redaktionell" in text  # the legend tells them apart


def test_isek_matrix_csv_download(web):
    r = web.get("/views/isek.csv")
    assert r.mimetype == "text/csv" and "attachment" in r.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    header = table[0]
    assert header[:2] == ["Handlungsfeld", "IRI"]
    column = header.index("Arbeitsfeld: Heimat bieten, vielfältiger und bezahlbarer Wohnraum")
    wohnen = next(row for row in table if row[0] == "Wohnen")
    assert wohnen[column] == "redaktionell"
    assert len(table) == 15  # header + 14 action fields, gaps included
    en = list(csv.reader(io.StringIO(web.get("/views/isek.csv?lang=en").get_data(as_text=True))))
    assert next(row for row in en if row[0] == "Housing")[column] == "editorial"


def test_timeline_2023_to_2030(web):
    body = web.get("/views/timeline").get_data(as_text=True)
    text = visible_text(body)
    for year in range(2023, 2031):
        assert f'id="y{year}"' in body
    assert 'id="y2022"' not in body
    assert "2023-03-15" in text
    assert "Ohne Datum" in text
    bad = web.get("/views/timeline?from=abc")
    assert bad.status_code == 400 and "zwischen 1900 und 2100" in visible_text(bad.get_data(as_text=True))


def test_target_group_coverage(web):
    body = web.get("/views/target-groups").get_data(as_text=True)
    rows = re.findall(r"<tr[^>]*>\s*<th scope=\"row\">(.*?)</tr>", body, flags=re.S)
    assert rows
    assert "<meter" in body
    assert any("Wohnen" in visible_text(r) or "Menschen" in visible_text(r) for r in rows)
