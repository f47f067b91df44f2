#pragma once

/* A test that lacks a program or a locale it needs is skipped, or fails where
 * PPM_TEST_NO_SKIP is set (meson's -Dstrict_tests=true sets it: the package
 * build runs every test it lists or fails). */
void ppm_test_missing(const char *what);
