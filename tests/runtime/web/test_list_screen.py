"""The list screen: search, filter builder, typed filters, sort, columns, keyset pages, bulk actions, bin."""

import re

import pytest

LIST = "/a/crm_customers/account"


@pytest.fixture
def accounts(web):
    ids = {}
    for name, tier, city, employees in [("Acme", "key", "Shanghai", 10), ("Beta", "standard", "Beijing", 200),
                                        ("Gamma", "strategic", "Shanghai", 35), ("上海明辉", "key", "上海", 5)]:
        response = web.post(f"{LIST}/new", data={"name": name, "tier": tier, "city": city, "employees": str(employees),
                                                 "notes": "plan"})
        assert response.status_code == 302, response.get_data(as_text=True)[:1500]
        ids[name] = int(response.headers["Location"].rsplit("/", 1)[1])
    return ids


def names(html: str) -> list[str]:
    table = html.split('data-testid="record-table"', 1)[1].split("</table>", 1)[0] if "record-table" in html else ""
    return re.findall(r'class="fw-semibold record-link" href="[^"]+">([^<]+)</a>', table)


def test_lists_newest_first_with_phone_cards(web, accounts):
    html = web.get(LIST).get_data(as_text=True)
    assert names(html) == ["上海明辉", "Gamma", "Beta", "Acme"]
    assert 'data-label="Tier"' in html and "card-cell" in html and "4 records" in html


def test_search_finds_text_in_any_language(web, accounts):
    assert names(web.get(f"{LIST}?q=明辉").get_data(as_text=True)) == ["上海明辉"]
    assert names(web.get(f"{LIST}?q=shang").get_data(as_text=True)) == ["Gamma", "Acme"]


def test_filter_builder_rows_are_anded(web, accounts):
    html = web.get(f"{LIST}?f=city&op=contains&v=SHANG&f=employees&op=gt&v=20").get_data(as_text=True)
    assert names(html) == ["Gamma"]
    html = web.get(f"{LIST}?f=tier&op=eq&v=key").get_data(as_text=True)
    assert names(html) == ["上海明辉", "Acme"]


def test_bad_filters_say_what_is_wrong_and_list_nothing(web, accounts):
    for query, words in [("f=employees&op=gt&v=lots", "employees"), ("f=tier&op=eq&v=gold", "tier"),
                         ("f=nope&op=eq&v=1", "nope"), ("where=employees+>", "where"), ("where=__import__('os')", "")]:
        response = web.get(f"{LIST}?{query}")
        html = response.get_data(as_text=True)
        assert response.status_code == 422, query
        assert 'data-testid="filter-error"' in html and words in html
        assert names(html) == []


def test_typed_expression_filter(web, accounts):
    html = web.get(f"{LIST}?where=employees+>=+10+and+tier+!=+'strategic'").get_data(as_text=True)
    assert names(html) == ["Beta", "Acme"]


def test_sort_by_clicking_a_header_cycles(web, accounts):
    html = web.get(f"{LIST}?order=employees&cols=name,employees").get_data(as_text=True)
    assert names(html) == ["上海明辉", "Acme", "Gamma", "Beta"]
    assert 'aria-sort="ascending"' in html and "order=-employees" in html
    assert names(web.get(f"{LIST}?order=-employees").get_data(as_text=True)) == ["Beta", "Gamma", "Acme", "上海明辉"]


def test_chosen_columns(web, accounts):
    html = web.get(f"{LIST}?cols=name,employees").get_data(as_text=True)
    head = html.split("<thead>", 1)[1].split("</thead>", 1)[0]
    assert "Employees" in head and "Tier" not in head


def test_keyset_pages_walk_every_record_once(web, accounts, monkeypatch):
    from runtime.web.screens import listing

    monkeypatch.setattr(listing, "PAGE_SIZE", 3)
    first = web.get(f"{LIST}?order=name").get_data(as_text=True)
    assert names(first) == ["Acme", "Beta", "Gamma"] and "3+ records" in first
    next_url = re.search(r'href="([^"]+)" data-testid="next-page"', first).group(1).replace("&amp;", "&")
    second = web.get(next_url).get_data(as_text=True)
    assert names(second) == ["上海明辉"] and 'data-testid="next-page"' not in second
    counted = web.get(f"{LIST}?order=name&count=1").get_data(as_text=True)
    assert "4 records" in counted


def test_tampered_cursor_is_a_clear_error(web, accounts):
    response = web.get(f"{LIST}?cursor=abc")
    assert response.status_code == 400


def test_record_page_shows_related_contacts_and_history(web, accounts):
    acme = accounts["Acme"]
    response = web.post("/a/crm_customers/contact/new", data={"full_name": "Li Na", "account": str(acme)})
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    web.post(f"{LIST}/{acme}/edit", data={"version": "1", "name": "Acme Ltd", "tier": "key"})
    html = web.get(f"{LIST}/{acme}").get_data(as_text=True)
    related = html.split('data-testid="related-contact"', 1)[1].split("</section>", 1)[0]
    assert "Li Na" in related and f"f=account&amp;op=eq&amp;v={acme}" in related
    history = html.split('data-testid="history"', 1)[1]
    assert "updated" in history and "<del" in history and "Acme Ltd" in history


def test_delete_restore_and_purge(web, accounts, engine):
    from runtime.security.users import create_user

    gamma = accounts["Gamma"]
    response = web.post(f"{LIST}/{gamma}/delete", data={"version": "1"})
    assert response.status_code == 302
    assert web.get(f"{LIST}/{gamma}").status_code == 404
    assert "Gamma" not in names(web.get(LIST).get_data(as_text=True))
    bin_page = web.get(f"{LIST}/bin").get_data(as_text=True)
    assert "Gamma" in bin_page and "Delete for good" not in bin_page  # Ann is no admin
    assert web.post(f"{LIST}/{gamma}/purge").status_code == 403
    assert web.post(f"{LIST}/{gamma}/restore").status_code == 302
    assert web.get(f"{LIST}/{gamma}").status_code == 200


def test_delete_with_a_stale_version_is_refused(web, accounts):
    acme = accounts["Acme"]
    web.post(f"{LIST}/{acme}/edit", data={"version": "1", "name": "Acme 2", "tier": "key"})
    response = web.post(f"{LIST}/{acme}/delete", data={"version": "1"}, follow_redirects=True)
    assert "Someone changed this record" in response.get_data(as_text=True)
    assert web.get(f"{LIST}/{acme}").status_code == 200


def test_bulk_edit_is_all_or_nothing(web, accounts):
    ids = [str(accounts["Acme"]), str(accounts["Beta"])]
    ok = web.post(f"{LIST}/bulk", data={"ids": ids, "action": "edit", "field": "city", "value": "Hangzhou"},
                  follow_redirects=True)
    assert "Updated 2 records" in ok.get_data(as_text=True)
    assert names(web.get(f"{LIST}?f=city&op=eq&v=Hangzhou").get_data(as_text=True)) == ["Beta", "Acme"]
    bad = web.post(f"{LIST}/bulk", data={"ids": ids, "action": "edit", "field": "employees", "value": "-5"},
                   follow_redirects=True)
    assert "Nothing was changed" in bad.get_data(as_text=True)
    assert names(web.get(f"{LIST}?f=employees&op=lt&v=0").get_data(as_text=True)) == []


def test_bulk_delete_and_export(web, accounts):
    ids = [str(accounts["Acme"]), str(accounts["上海明辉"])]
    export = web.post(f"{LIST}/bulk", data={"ids": ids, "action": "export"})
    text = export.get_data().decode("utf-8-sig")
    assert export.status_code == 200 and "Acme" in text and "上海明辉" in text and "Beta" not in text
    web.post(f"{LIST}/bulk", data={"ids": ids, "action": "delete"})
    assert names(web.get(LIST).get_data(as_text=True)) == ["Gamma", "Beta"]


def test_bulk_refuses_unknown_fields_and_actions(web, accounts):
    ids = [str(accounts["Acme"])]
    for data in ({"action": "edit", "field": "code", "value": "X"}, {"action": "drop"}):
        response = web.post(f"{LIST}/bulk", data={"ids": ids, **data}, follow_redirects=True)
        assert "Nothing was changed" in response.get_data(as_text=True)
