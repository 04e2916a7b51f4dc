"""The shared casework database's schema, as versioned migrations council IT can read (`shared setup --sql`).

Everything lives in the ``casework`` schema, owned by a role nobody logs in as (``casework_owner``). People log
in as their own PostgreSQL roles, each a member of one group: ``cw_councillor``, ``cw_officer`` or ``cw_admin``.
Row-level security gives each person the wards they belong to (``ward_member``) and nothing else, whatever SQL
they send. The timeline (``issue_event``) is append-only; its author and arrival are stamped by the server, so
nobody can write in another's name; erasure goes through one function that only blanks personal data. Every
change to people, wards and issues, and every erasure, is written to ``audit_log`` by the server.
"""

from __future__ import annotations

ROLES_SQL = """
DO $roles$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['casework_owner', 'cw_user', 'cw_councillor', 'cw_officer', 'cw_admin'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
      EXECUTE format('CREATE ROLE %I NOLOGIN', r);
    END IF;
  END LOOP;
END $roles$;
GRANT cw_user TO cw_councillor, cw_officer, cw_admin;
"""
"""Cluster-wide roles, made once whatever the database (a role may already exist from another one)."""

V1 = """
CREATE SCHEMA casework AUTHORIZATION casework_owner;
GRANT USAGE ON SCHEMA casework TO cw_user;
SET ROLE casework_owner;
SET search_path = casework, pg_temp;

CREATE TABLE schema_version (
  version int PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now(),
  applied_by name NOT NULL DEFAULT session_user
);
CREATE TABLE person (
  login name PRIMARY KEY,
  display_name text NOT NULL,
  role text NOT NULL CHECK (role IN ('councillor', 'officer', 'admin')),
  added_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE TABLE ward (id text PRIMARY KEY, name text NOT NULL);
CREATE TABLE ward_member (
  login name NOT NULL REFERENCES person ON DELETE CASCADE,
  ward_id text NOT NULL REFERENCES ward,
  PRIMARY KEY (login, ward_id)
);
CREATE TABLE issue (
  id uuid PRIMARY KEY,
  ward_id text NOT NULL REFERENCES ward,
  reference text NOT NULL,
  created_by name NOT NULL DEFAULT session_user,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (ward_id, reference)
);
CREATE SEQUENCE event_seq;
CREATE TABLE issue_event (
  id uuid PRIMARY KEY,
  issue_id uuid NOT NULL REFERENCES issue,
  ward_id text NOT NULL,
  kind text NOT NULL,
  field text,
  value jsonb,
  detail jsonb NOT NULL DEFAULT '{}',
  made_at timestamptz NOT NULL,
  author name NOT NULL DEFAULT session_user,
  received_at timestamptz NOT NULL DEFAULT now(),
  seq bigint NOT NULL DEFAULT 0,
  txid xid8 NOT NULL DEFAULT '0',
  -- the latest change of a field wins, by when it was made: a laptop whose clock runs ahead must not win forever
  CONSTRAINT made_not_in_the_future CHECK (made_at <= received_at + interval '5 minutes')
);
CREATE INDEX issue_event_txid ON issue_event (txid, seq);
CREATE INDEX issue_event_issue ON issue_event (issue_id);
CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor name NOT NULL DEFAULT session_user,
  ward_id text,
  action text NOT NULL,
  what text NOT NULL,
  detail jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at);

-- Who is asking: the login role (session_user), so SET ROLE to a group never gains anything. SECURITY DEFINER
-- so that policies can read memberships without going round the membership table's own policy.
CREATE FUNCTION my_wards() RETURNS SETOF text LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = casework, pg_temp AS $$
  SELECT m.ward_id FROM ward_member m JOIN person p USING (login)
  WHERE m.login = session_user AND p.revoked_at IS NULL $$;
CREATE FUNCTION my_role() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = casework, pg_temp AS $$
  SELECT role FROM person WHERE login = session_user AND revoked_at IS NULL $$;

ALTER TABLE person ENABLE ROW LEVEL SECURITY;
ALTER TABLE ward ENABLE ROW LEVEL SECURITY;
ALTER TABLE ward_member ENABLE ROW LEVEL SECURITY;
ALTER TABLE issue ENABLE ROW LEVEL SECURITY;
ALTER TABLE issue_event ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;

CREATE POLICY see_ward ON ward FOR SELECT USING (id IN (SELECT my_wards()) OR my_role() = 'admin');
CREATE POLICY see_members ON ward_member FOR SELECT USING (ward_id IN (SELECT my_wards()) OR my_role() = 'admin');
CREATE POLICY see_people ON person FOR SELECT USING (
  login = session_user OR my_role() = 'admin'
  OR login IN (SELECT login FROM ward_member WHERE ward_id IN (SELECT my_wards())));
CREATE POLICY admin_people ON person FOR UPDATE USING (my_role() = 'admin') WITH CHECK (my_role() = 'admin');
CREATE POLICY admin_members ON ward_member FOR INSERT WITH CHECK (my_role() = 'admin');
CREATE POLICY admin_members_out ON ward_member FOR DELETE USING (my_role() = 'admin');
CREATE POLICY ward_issues ON issue FOR ALL USING (ward_id IN (SELECT my_wards()))
  WITH CHECK (ward_id IN (SELECT my_wards()));
CREATE POLICY ward_events ON issue_event FOR SELECT USING (ward_id IN (SELECT my_wards()));
CREATE POLICY write_events ON issue_event FOR INSERT WITH CHECK (
  ward_id IN (SELECT my_wards())
  AND ward_id = (SELECT i.ward_id FROM issue i WHERE i.id = issue_id)
  AND author = session_user
  AND kind NOT IN ('forgotten', 'withdrawn')  -- written only by the erasure functions below
  AND (kind <> 'replied' OR my_role() = 'councillor'));
CREATE POLICY see_audit ON audit_log FOR SELECT USING (ward_id IN (SELECT my_wards()) OR my_role() = 'admin');

REVOKE ALL ON ALL TABLES IN SCHEMA casework FROM PUBLIC;
GRANT SELECT ON schema_version, person, ward, ward_member, audit_log TO cw_user;
GRANT SELECT, INSERT ON issue, issue_event TO cw_councillor, cw_officer;
GRANT UPDATE (display_name, revoked_at) ON person TO cw_admin;
GRANT INSERT, DELETE ON ward_member TO cw_admin;

-- The server stamps who and when, and numbers each entry with the transaction that wrote it: sync reads
-- "every transaction finished since last time", which a plain sequence number cannot say (numbers are handed
-- out before commit, in another order).
CREATE FUNCTION stamp_event() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = casework, pg_temp AS $$
BEGIN
  NEW.author := session_user;
  NEW.received_at := now();
  NEW.txid := pg_current_xact_id();
  NEW.seq := nextval('casework.event_seq');
  RETURN NEW;
END $$;
CREATE TRIGGER stamp BEFORE INSERT ON issue_event FOR EACH ROW EXECUTE FUNCTION stamp_event();

-- Two laptops offline may both number a new issue MB-0008: the one that arrives second takes the next free
-- number in its ward (the laptop adopts it at once).
CREATE FUNCTION number_issue() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = casework, pg_temp AS $$
DECLARE prefix text; n numeric;
BEGIN
  NEW.created_by := session_user;
  NEW.created_at := now();
  PERFORM pg_advisory_xact_lock(hashtext('casework.issue.' || NEW.ward_id));
  IF EXISTS (SELECT 1 FROM issue WHERE ward_id = NEW.ward_id AND reference = NEW.reference AND id <> NEW.id) THEN
    prefix := coalesce(substring(NEW.reference FROM '^(.*)-[0-9]+$'), NEW.reference);
    SELECT coalesce(max(substring(reference FROM '-([0-9]+)$')::numeric), 0) + 1 INTO n
      FROM issue WHERE ward_id = NEW.ward_id AND left(reference, length(prefix) + 1) = prefix || '-';
    NEW.reference := prefix || '-' || lpad(n::text, 4, '0');
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER number BEFORE INSERT ON issue FOR EACH ROW EXECUTE FUNCTION number_issue();

CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = casework, pg_temp AS $$
DECLARE r jsonb := to_jsonb(coalesce(NEW, OLD));
BEGIN
  INSERT INTO audit_log (actor, ward_id, action, what, detail)
  VALUES (session_user, r ->> 'ward_id', lower(TG_OP), TG_TABLE_NAME,
          CASE TG_TABLE_NAME WHEN 'issue' THEN jsonb_build_object('issue', r ->> 'id', 'reference', r ->> 'reference')
                             WHEN 'issue_event' THEN jsonb_build_object('issue', r ->> 'issue_id', 'entry', r ->> 'id')
                             ELSE r - 'added_at' END);
  RETURN NULL;
END $$;
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON person FOR EACH ROW EXECUTE FUNCTION audit();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON ward_member FOR EACH ROW EXECUTE FUNCTION audit();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON ward FOR EACH ROW EXECUTE FUNCTION audit();
CREATE TRIGGER audit AFTER INSERT ON issue FOR EACH ROW EXECUTE FUNCTION audit();
CREATE TRIGGER audit AFTER UPDATE ON issue_event FOR EACH ROW EXECUTE FUNCTION audit();

-- A content-free poke to every listening laptop: "go and read". Notifications pass by row-level security,
-- so they never say what changed; each laptop reads through its own policies.
CREATE FUNCTION poke() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_notify('casework', ''); RETURN NULL; END $$;
CREATE TRIGGER poke AFTER INSERT OR UPDATE ON issue_event FOR EACH STATEMENT EXECUTE FUNCTION poke();

-- Erasure at a resident's request: blank the personal data in timeline entries of the caller's wards, and say
-- so on the timeline (every laptop blanks its copy when it reads that). The only way an entry ever changes.
CREATE FUNCTION forget(entries uuid[]) RETURNS int LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = casework, pg_temp AS $$
DECLARE done int := 0; r record;
BEGIN
  FOR r IN
    UPDATE issue_event SET value = NULL, detail = '{"erased": true}'
    WHERE id = ANY(entries) AND ward_id IN (SELECT my_wards()) AND detail IS DISTINCT FROM '{"erased": true}'
    RETURNING issue_id, ward_id, id
  LOOP
    INSERT INTO issue_event (id, issue_id, ward_id, kind, detail, made_at)
    VALUES (gen_random_uuid(), r.issue_id, r.ward_id, 'forgotten',
            jsonb_build_object('entries', jsonb_build_array(r.id)), now());
    done := done + 1;
  END LOOP;
  RETURN done;
END $$;
-- A resident's contact details, and the emails they sent, leave the shared copy when consent is withdrawn or
-- they ask to be forgotten; laptops drop their copies of those emails when they read the note this leaves.
CREATE FUNCTION forget_contact(issue uuid) RETURNS int LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = casework, pg_temp AS $$
DECLARE blanked int; emails jsonb; ward text;
BEGIN
  UPDATE issue_event SET value = CASE WHEN field = 'contact' THEN NULL ELSE value - 'contact' END
  WHERE issue_id = forget_contact.issue AND ward_id IN (SELECT my_wards())
    AND ((field = 'contact' AND value IS NOT NULL AND value <> 'null') OR (kind = 'created' AND value ? 'contact'));
  GET DIAGNOSTICS blanked = ROW_COUNT;
  WITH private AS (
    UPDATE issue_event SET value = jsonb_build_object('kind', 'email', 'source', value ->> 'source',
                                                      'created_at', value ->> 'created_at', 'private', true)
    WHERE issue_id = forget_contact.issue AND ward_id IN (SELECT my_wards()) AND kind = 'linked_item'
      AND value ->> 'kind' = 'email' AND NOT value ? 'private'
    RETURNING id, ward_id)
  SELECT jsonb_agg(id), min(private.ward_id) INTO emails, ward FROM private;
  IF emails IS NOT NULL THEN
    INSERT INTO issue_event (id, issue_id, ward_id, kind, detail, made_at)
    VALUES (gen_random_uuid(), forget_contact.issue, ward, 'withdrawn', jsonb_build_object('entries', emails), now());
  END IF;
  RETURN blanked + coalesce(jsonb_array_length(emails), 0);
END $$;
-- A resident's words removed from an issue's fields: the values those fields had before the erasure go too.
CREATE FUNCTION forget_fields(issue uuid, fields text[], erased_at timestamptz) RETURNS int LANGUAGE sql
  SECURITY DEFINER SET search_path = casework, pg_temp AS $$
  WITH blanked AS (
    UPDATE issue_event
    SET value = CASE WHEN kind = 'created' THEN value - fields ELSE NULL END,
        detail = CASE WHEN kind = 'changed' THEN detail - 'from' - 'to'
                      WHEN 'title' = ANY(fields) THEN detail - 'title' ELSE detail END
    WHERE issue_id = forget_fields.issue AND ward_id IN (SELECT my_wards()) AND made_at <= erased_at
      AND (kind = 'created' OR (kind = 'changed' AND field = ANY(fields)))
    RETURNING 1)
  SELECT count(*)::int FROM blanked $$;
REVOKE ALL ON FUNCTION forget(uuid[]), forget_contact(uuid), forget_fields(uuid, text[], timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION forget(uuid[]), forget_contact(uuid), forget_fields(uuid, text[], timestamptz)
  TO cw_councillor, cw_officer;

-- For council IT and hand-written reports: each issue's fields as they stand (the latest value of each wins),
-- seen through the same policies as the tables.
CREATE VIEW issue_field WITH (security_invoker = true) AS
  SELECT DISTINCT ON (e.issue_id, f.key)
         e.issue_id, i.ward_id, i.reference, f.key AS field, f.value, e.author, e.made_at
  FROM issue_event e JOIN issue i ON i.id = e.issue_id,
       LATERAL jsonb_each(CASE WHEN e.field IS NULL THEN coalesce(e.value, '{}')
                               ELSE jsonb_build_object(e.field, e.value) END) f
  WHERE e.kind IN ('created', 'changed', 'status', 'contact_changed')
  ORDER BY e.issue_id, f.key, e.made_at DESC, e.id DESC;
GRANT SELECT ON issue_field TO cw_councillor, cw_officer;
RESET ROLE;
"""

MIGRATIONS: tuple[tuple[int, str, str], ...] = ((1, "people, wards, issues, timeline, audit", V1),)
"""(version, what it adds, SQL), applied in order, each in one transaction. Never edit one that has shipped."""


def setup_script() -> str:
    """The whole schema as one script, for council IT to read or run with psql themselves."""
    parts = ["-- Networked Councillor: shared casework. Run as a superuser (or a role with CREATEROLE that may",
             "-- SET ROLE casework_owner) in the database that will hold the casework.", "BEGIN;", ROLES_SQL.strip()]
    for version, what, sql in MIGRATIONS:
        parts += [f"-- {version}: {what}", sql.strip(),
                  f"INSERT INTO casework.schema_version (version) VALUES ({version});"]
    return "\n".join(parts + ["COMMIT;", ""])
