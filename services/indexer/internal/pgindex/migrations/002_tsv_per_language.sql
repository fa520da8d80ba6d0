-- One partial GIN index of tsv per text search configuration, in place of
-- the single index on tsv. A search matches each language's rows with that
-- language's tsquery: (cfg = 'english' AND tsv @@ q_en) OR (cfg = 'german'
-- AND tsv @@ q_de) … With one index on tsv alone the planner cannot prove
-- the cfg half from the index, so it re-evaluates the whole condition on
-- every matching row, detoasting its tsvector (several KB each): at 100,000
-- articles that was 30–130 ms per statement per 10,000 matches. With an
-- index per configuration the bitmap answers both halves and rows are
-- counted without reading tsv.
--
-- The configurations are search.Languages' PGConfig values; a language
-- added there needs its index in a new migration (TestPartialIndexes
-- checks).
CREATE INDEX articles_tsv_english ON articles USING GIN (tsv) WHERE cfg = 'english'::regconfig;
CREATE INDEX articles_tsv_german ON articles USING GIN (tsv) WHERE cfg = 'german'::regconfig;
CREATE INDEX articles_tsv_french ON articles USING GIN (tsv) WHERE cfg = 'french'::regconfig;
CREATE INDEX articles_tsv_spanish ON articles USING GIN (tsv) WHERE cfg = 'spanish'::regconfig;
CREATE INDEX articles_tsv_italian ON articles USING GIN (tsv) WHERE cfg = 'italian'::regconfig;
CREATE INDEX articles_tsv_russian ON articles USING GIN (tsv) WHERE cfg = 'russian'::regconfig;
CREATE INDEX articles_tsv_portuguese ON articles USING GIN (tsv) WHERE cfg = 'portuguese'::regconfig;
CREATE INDEX articles_tsv_dutch ON articles USING GIN (tsv) WHERE cfg = 'dutch'::regconfig;
DROP INDEX articles_tsv;
