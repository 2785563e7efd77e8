"""Tests of the durable hash bank (stukje.bank) and its CLI."""
