DROP TABLE two_factor_pending;
DROP TABLE two_factor_recovery;
DROP TABLE two_factor;
