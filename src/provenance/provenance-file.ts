/** The provenance record's file name in the results directory (`pmt scan` writes it, `pmt verify` reads it). */
export const PROVENANCE_FILE = 'pmt-provenance.intoto.json';
