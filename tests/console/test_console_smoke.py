from conftest import form_post


def test_pages_render(client):
    for path in ("/", "/oppsett", "/samsvar", "/plan", "/historikk", "/overforing"):
        r = client.get(path)
        assert r.status_code == 200, (path, r.text[:2000])


def test_walk(client, integration):
    r = form_post(client, "/plan", "/plan", {})
    assert r.status_code == 200, r.text[:3000]
    print(r.text[:200])
