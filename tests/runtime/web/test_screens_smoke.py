import re


def test_new_list_detail_edit(web):
    page = web.get("/a/crm_customers/account/new")
    assert page.status_code == 200, page.get_data(as_text=True)[:2000]
    html = page.get_data(as_text=True)
    assert 'name="name"' in html
    r = web.post("/a/crm_customers/account/new", data={"name": "Acme <b>", "tier": "key", "industry": "retail",
                                                       "interactions-0-summary": "First call",
                                                       "interactions-0-happened_on": "2026-01-05",
                                                       "interactions-0-channel": "call"})
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    detail = web.get(r.headers["Location"])
    text = detail.get_data(as_text=True)
    assert detail.status_code == 200, text[:3000]
    assert "Acme &lt;b&gt;" in text and "First call" in text
    listing = web.get("/a/crm_customers/account")
    assert listing.status_code == 200, listing.get_data(as_text=True)[:3000]
    assert "Acme &lt;b&gt;" in listing.get_data(as_text=True)
    record_id = int(re.search(r"/account/(\d+)", r.headers["Location"]).group(1))
    edit = web.get(f"/a/crm_customers/account/{record_id}/edit")
    assert edit.status_code == 200, edit.get_data(as_text=True)[:3000]
