-- Articles, keyed by id, with a weighted tsvector in the article's
-- language: A title, B description, C body.
CREATE TABLE articles (
    id            text PRIMARY KEY,
    doc           bytea NOT NULL,              -- the article as events.Encode wrote it
    url           text NOT NULL,
    title         text NOT NULL DEFAULT '',
    description   text NOT NULL DEFAULT '',
    body          text NOT NULL DEFAULT '',
    source_domain text NOT NULL,               -- lower case
    source_name   text NOT NULL DEFAULT '',    -- as published
    language      text NOT NULL DEFAULT '',    -- normalized tag: en, en-gb
    authors       text[] NOT NULL DEFAULT '{}', -- lower case, for filters
    tags          text[] NOT NULL DEFAULT '{}', -- lower case, for filters
    published_at  timestamptz,
    simhash       text NOT NULL DEFAULT '',
    modified_ns   bigint NOT NULL,             -- 0 when unknown
    fetched_ns    bigint NOT NULL,
    cfg           regconfig NOT NULL,          -- text search configuration of language
    tsv           tsvector GENERATED ALWAYS AS (
                      setweight(to_tsvector(cfg, title), 'A') ||
                      setweight(to_tsvector(cfg, description), 'B') ||
                      setweight(to_tsvector(cfg, body), 'C')) STORED
);
CREATE INDEX articles_tsv ON articles USING GIN (tsv);
CREATE INDEX articles_published_at ON articles (published_at DESC NULLS LAST, id);
CREATE INDEX articles_source_domain ON articles (source_domain);
CREATE INDEX articles_language ON articles (language);
CREATE INDEX articles_authors ON articles USING GIN (authors);
CREATE INDEX articles_tags ON articles USING GIN (tags);
