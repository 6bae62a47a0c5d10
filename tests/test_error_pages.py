"""Refused and missing pages answer in Chinese, in the site's look, not Django's English page."""


def test_a_missing_page_answers_in_chinese(client, policy):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body and "Not Found" not in body


def test_a_refused_page_answers_in_chinese(client, district_reviewer):
    client.force_login(district_reviewer)

    response = client.get("/admin/disbursements/disbursementbatch/")

    assert response.status_code == 403
    body = response.content.decode()
    assert "没有权限" in body and "Forbidden" not in body


def test_a_server_error_answers_in_chinese():
    # Rendered without a request: the handler for 500 gives it no context.
    from django.template.loader import render_to_string

    page = render_to_string("500.html")

    assert "服务暂时出错" in page


def test_an_official_s_refused_page_leads_back_to_the_workbench(client, district_reviewer):
    client.force_login(district_reviewer)

    body = client.get("/admin/disbursements/disbursementbatch/").content.decode()

    assert 'href="/admin/"' in body and "返回工作台" in body
    assert "返回政策目录" not in body


def test_an_official_s_missing_page_leads_back_to_the_workbench(client, district_reviewer):
    client.force_login(district_reviewer)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "返回工作台" in response.content.decode()


def test_an_enterprise_s_missing_page_leads_back_to_the_catalogue(client, enterprise_user):
    client.force_login(enterprise_user)

    body = client.get("/no-such-page/").content.decode()

    assert "返回政策目录" in body and "返回工作台" not in body
