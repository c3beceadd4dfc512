"""docs/permissions.md is what the generator writes from the permission table: it cannot drift."""

from carebridge import cli
from carebridge.accounts import permissions_doc
from carebridge.accounts.permissions import PERMISSIONS, ROLES


def test_the_committed_file_is_what_the_generator_writes():
    assert permissions_doc.DOC_PATH.read_text(encoding="utf-8") == permissions_doc.render(), (
        "docs/permissions.md is out of date: run `carebridge staff permissions-doc`"
    )


def test_it_documents_every_role_permission_and_scope_and_the_refusal_of_enforcement():
    text = permissions_doc.render()
    for role in ROLES.values():
        assert f"**`{role.name}`**: {role.purpose}" in text
    for permission in PERMISSIONS.values():
        assert f"**`{permission.name}`**: {permission.purpose}" in text
    row = next(line for line in text.splitlines() if line.startswith("| `person.read` |"))
    cells = [cell.strip() for cell in row.strip("|").split("|")][1:]
    assert cells == [f"`{ROLES[role].grants['person.read'].value}`" if "person.read" in ROLES[role].grants else ""
                     for role in ROLES]
    assert "no role, permission, export or API in Carebridge that serves immigration enforcement" in text
    assert "## Break the glass" in text and "## Second factor" in text and "## Who manages whom" in text


def test_the_check_command_fails_on_a_stale_file(tmp_path, capsys):
    target = tmp_path / "permissions.md"
    assert cli.main(["staff", "permissions-doc", "--output", str(target)]) == 0
    assert cli.main(["staff", "permissions-doc", "--check", "--output", str(target)]) == 0
    target.write_text(target.read_text() + "edited by hand\n")
    assert cli.main(["staff", "permissions-doc", "--check", "--output", str(target)]) == 1
    assert "out of date" in capsys.readouterr().err
