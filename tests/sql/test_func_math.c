/* Unit tests for sql/func mathematical functions. The expectations were produced by running
 * each call on a real PostgreSQL 15.18 (psql, extra_float_digits 1) and are pasted here as
 * literals: results, result types (through the text form) and SQLSTATE + message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/prng.h"
#include "sql/func.h"
#include "sql/support/func_cases.h"
#include "sql/value_io.h"

static const call_case math_cases[] = {
    {"abs", 1, {"int2:-5"}, "5"},
    {"abs", 1, {"int2:-32768"}, "ERROR 22003 smallint out of range"},
    {"abs", 1, {"int4:-2147483648"}, "ERROR 22003 integer out of range"},
    {"abs", 1, {"int4:-7"}, "7"},
    {"abs", 1, {"int8:-9223372036854775808"}, "ERROR 22003 bigint out of range"},
    {"abs", 1, {"int8:-9223372036854775807"}, "9223372036854775807"},
    {"abs", 1, {"float4:-1.5"}, "1.5"},
    {"abs", 1, {"float8:-0"}, "0"},
    {"abs", 1, {"numeric:-12.340"}, "12.340"},
    {"abs", 1, {"null:int4"}, "<NULL>"},
    {"sign", 1, {"float8:-3.5"}, "-1"},
    {"sign", 1, {"float8:0"}, "0"},
    {"sign", 1, {"numeric:12.5"}, "1"},
    {"sign", 1, {"numeric:-0.001"}, "-1"},
    {"sign", 1, {"numeric:NaN"}, "NaN"},
    {"ceil", 1, {"float8:1.2"}, "2"},
    {"ceil", 1, {"float8:-1.2"}, "-1"},
    {"ceil", 1, {"numeric:-1.5"}, "-1"},
    {"ceiling", 1, {"numeric:1.0001"}, "2"},
    {"floor", 1, {"float8:-1.5"}, "-2"},
    {"floor", 1, {"numeric:2.999"}, "2"},
    {"floor", 1, {"numeric:Infinity"}, "Infinity"},
    {"round", 1, {"float8:2.5"}, "2"},
    {"round", 1, {"float8:3.5"}, "4"},
    {"round", 1, {"float8:-2.5"}, "-2"},
    {"round", 1, {"numeric:2.5"}, "3"},
    {"round", 1, {"numeric:-2.5"}, "-3"},
    {"round", 2, {"numeric:1234.5678", "int4:2"}, "1234.57"},
    {"round", 2, {"numeric:1234.5678", "int4:-2"}, "1200"},
    {"round", 2, {"numeric:1234.5678", "int4:0"}, "1235"},
    {"round", 2, {"numeric:0.5", "int4:10"}, "0.5000000000"},
    {"round", 2, {"numeric:NaN", "int4:2"}, "NaN"},
    {"round", 1, {"int4:5"}, "5"},
    {"trunc", 1, {"float8:-2.7"}, "-2"},
    {"trunc", 1, {"numeric:-2.7"}, "-2"},
    {"trunc", 2, {"numeric:1234.5678", "int4:2"}, "1234.56"},
    {"trunc", 2, {"numeric:1234.5678", "int4:-2"}, "1200"},
    {"mod", 2, {"int4:7", "int4:3"}, "1"},
    {"mod", 2, {"int4:-7", "int4:3"}, "-1"},
    {"mod", 2, {"int4:7", "int4:0"}, "ERROR 22012 division by zero"},
    {"mod", 2, {"int2:7", "int2:-3"}, "1"},
    {"mod", 2, {"int8:-9223372036854775808", "int8:-1"}, "0"},
    {"mod", 2, {"int4:-2147483648", "int4:-1"}, "0"},
    {"mod", 2, {"numeric:7.5", "numeric:2"}, "1.5"},
    {"mod", 2, {"numeric:1", "numeric:0"}, "ERROR 22012 division by zero"},
    {"mod", 2, {"int4:7", "numeric:2.5"}, "2.0"},
    {"div", 2, {"numeric:7.5", "numeric:2"}, "3"},
    {"div", 2, {"numeric:-7.5", "numeric:2"}, "-3"},
    {"div", 2, {"numeric:1", "numeric:0"}, "ERROR 22012 division by zero"},
    {"gcd", 2, {"int4:12", "int4:18"}, "6"},
    {"gcd", 2, {"int4:-12", "int4:18"}, "6"},
    {"gcd", 2, {"int4:0", "int4:0"}, "0"},
    {"gcd", 2, {"int4:-2147483648", "int4:0"}, "ERROR 22003 integer out of range"},
    {"gcd", 2, {"int4:-2147483648", "int4:6"}, "2"},
    {"gcd", 2, {"int8:-9223372036854775808", "int8:0"}, "ERROR 22003 bigint out of range"},
    {"gcd", 2, {"numeric:12.5", "numeric:5"}, "2.5"},
    {"gcd", 2, {"numeric:NaN", "numeric:4"}, "NaN"},
    {"lcm", 2, {"int4:4", "int4:6"}, "12"},
    {"lcm", 2, {"int4:0", "int4:6"}, "0"},
    {"lcm", 2, {"int4:-4", "int4:6"}, "12"},
    {"lcm", 2, {"int4:2147483647", "int4:2"}, "ERROR 22003 integer out of range"},
    {"lcm", 2, {"numeric:4.0", "numeric:6"}, "12.0"},
    {"lcm", 2, {"numeric:0", "numeric:1.50"}, "0.00"},
    {"power", 2, {"float8:2", "float8:10"}, "1024"},
    {"power", 2, {"float8:2", "float8:-1"}, "0.5"},
    {"power",
     2,
     {"float8:0", "float8:-1"},
     "ERROR 2201F zero raised to a negative power is undefined"},
    {"power",
     2,
     {"float8:-8", "float8:0.5"},
     "ERROR 2201F a negative number raised to a non-integer power yields a complex result"},
    {"power", 2, {"float8:-2", "float8:3"}, "-8"},
    {"power", 2, {"float8:10", "float8:400"}, "ERROR 22003 value out of range: overflow"},
    {"power", 2, {"float8:10", "float8:-400"}, "ERROR 22003 value out of range: underflow"},
    {"power", 2, {"float8:NaN", "float8:0"}, "1"},
    {"power", 2, {"float8:1", "float8:NaN"}, "1"},
    {"power", 2, {"float8:Infinity", "float8:-1"}, "0"},
    {"power", 2, {"float8:0.5", "float8:Infinity"}, "0"},
    {"pow", 2, {"float8:2", "float8:0.5"}, "1.4142135623730951"},
    {"power", 2, {"numeric:2", "numeric:10"}, "1024.0000000000000000"},
    {"power", 2, {"numeric:2", "numeric:-3"}, "0.1250000000000000"},
    {"power", 2, {"numeric:2", "numeric:0.5"}, "1.4142135623730950"},
    {"power", 2, {"numeric:1.5", "numeric:3"}, "3.3750000000000000"},
    {"power", 2, {"numeric:-2", "numeric:3"}, "-8.0000000000000000"},
    {"power",
     2,
     {"numeric:0", "numeric:-1"},
     "ERROR 2201F zero raised to a negative power is undefined"},
    {"power",
     2,
     {"numeric:-2", "numeric:0.5"},
     "ERROR 2201F a negative number raised to a non-integer power yields a complex result"},
    {"power", 2, {"numeric:10", "numeric:-20"}, "0.0000000000000000"},
    {"power", 2, {"numeric:2.5", "numeric:2.5"}, "9.8821176880261854"},
    {"power", 2, {"numeric:0", "numeric:0"}, "1.0000000000000000"},
    {"power", 2, {"numeric:NaN", "numeric:0"}, "1"},
    {"power", 2, {"int4:2", "int4:3"}, "8"},
    {"sqrt", 1, {"float8:2"}, "1.4142135623730951"},
    {"sqrt", 1, {"float8:-1"}, "ERROR 2201F cannot take square root of a negative number"},
    {"sqrt", 1, {"float8:0"}, "0"},
    {"sqrt", 1, {"numeric:2"}, "1.414213562373095"},
    {"sqrt", 1, {"numeric:-1"}, "ERROR 2201F cannot take square root of a negative number"},
    {"sqrt", 1, {"numeric:16"}, "4.000000000000000"},
    {"sqrt", 1, {"numeric:0.0001"}, "0.01000000000000000"},
    {"sqrt", 1, {"numeric:2.0000000000000000000000000"}, "1.4142135623730950488016887"},
    {"sqrt", 1, {"numeric:123456789012345678901234567890"}, "351364182882014.4"},
    {"sqrt", 1, {"numeric:NaN"}, "NaN"},
    {"sqrt", 1, {"int4:4"}, "2"},
    {"cbrt", 1, {"float8:27"}, "3.0000000000000004"},
    {"cbrt", 1, {"float8:-8"}, "-2"},
    {"exp", 1, {"float8:1"}, "2.718281828459045"},
    {"exp", 1, {"float8:0"}, "1"},
    {"exp", 1, {"float8:1000"}, "ERROR 22003 value out of range: overflow"},
    {"exp", 1, {"float8:-1000"}, "ERROR 22003 value out of range: underflow"},
    {"exp", 1, {"float8:-Infinity"}, "0"},
    {"exp", 1, {"numeric:1"}, "2.7182818284590452"},
    {"exp", 1, {"numeric:0"}, "1.0000000000000000"},
    {"exp", 1, {"numeric:-1"}, "0.3678794411714423"},
    {"exp", 1, {"numeric:10"}, "22026.465794806717"},
    {"exp", 1, {"numeric:1.5"}, "4.4816890703380648"},
    {"exp", 1, {"numeric:50000"}, "ERROR 22003 value overflows numeric format"},
    {"exp", 1, {"numeric:-Infinity"}, "0"},
    {"ln", 1, {"float8:2.718281828459045"}, "1"},
    {"ln", 1, {"float8:0"}, "ERROR 2201E cannot take logarithm of zero"},
    {"ln", 1, {"float8:-1"}, "ERROR 2201E cannot take logarithm of a negative number"},
    {"ln", 1, {"float8:1"}, "0"},
    {"ln", 1, {"numeric:2"}, "0.6931471805599453"},
    {"ln", 1, {"numeric:10"}, "2.3025850929940457"},
    {"ln", 1, {"numeric:0"}, "ERROR 2201E cannot take logarithm of zero"},
    {"ln", 1, {"numeric:-1"}, "ERROR 2201E cannot take logarithm of a negative number"},
    {"ln", 1, {"numeric:1"}, "0.0000000000000000"},
    {"ln", 1, {"numeric:1.0001"}, "0.00009999500033330834"},
    {"ln", 1, {"numeric:100000000000000000000"}, "46.051701859880914"},
    {"ln", 1, {"numeric:0.5"}, "-0.6931471805599453"},
    {"log", 1, {"float8:100"}, "2"},
    {"log", 1, {"float8:0"}, "ERROR 2201E cannot take logarithm of zero"},
    {"log", 1, {"numeric:100"}, "2.0000000000000000"},
    {"log", 1, {"numeric:2"}, "0.3010299956639812"},
    {"log", 1, {"numeric:0.001"}, "-3.0000000000000000"},
    {"log", 2, {"numeric:2", "numeric:8"}, "3.0000000000000000"},
    {"log", 2, {"numeric:2", "numeric:10"}, "3.3219280948873623"},
    {"log", 2, {"numeric:1", "numeric:5"}, "ERROR 22012 division by zero"},
    {"log", 2, {"numeric:0", "numeric:5"}, "ERROR 2201E cannot take logarithm of zero"},
    {"log",
     2,
     {"numeric:10", "numeric:-5"},
     "ERROR 2201E cannot take logarithm of a negative number"},
    {"log10", 1, {"float8:1000"}, "3"},
    {"log10", 1, {"numeric:1000"}, "3.0000000000000000"},
    {"log", 1, {"int4:1000"}, "3"},
    {"pi", 0, {}, "3.141592653589793"},
    {"degrees", 1, {"float8:3.141592653589793"}, "180"},
    {"degrees", 1, {"float8:1"}, "57.29577951308232"},
    {"radians", 1, {"float8:180"}, "3.141592653589793"},
    {"radians", 1, {"float8:45"}, "0.7853981633974483"},
    {"sin", 1, {"float8:0"}, "0"},
    {"sin", 1, {"float8:1"}, "0.8414709848078965"},
    {"sin", 1, {"float8:Infinity"}, "ERROR 22003 input is out of range"},
    {"cos", 1, {"float8:0"}, "1"},
    {"cos", 1, {"float8:1"}, "0.5403023058681398"},
    {"tan", 1, {"float8:1"}, "1.5574077246549023"},
    {"asin", 1, {"float8:1"}, "1.5707963267948966"},
    {"asin", 1, {"float8:2"}, "ERROR 22003 input is out of range"},
    {"acos", 1, {"float8:-1"}, "3.141592653589793"},
    {"acos", 1, {"float8:1.5"}, "ERROR 22003 input is out of range"},
    {"atan", 1, {"float8:1"}, "0.7853981633974483"},
    {"atan2", 2, {"float8:1", "float8:-1"}, "2.356194490192345"},
    {"atan2", 2, {"float8:0", "float8:0"}, "0"},
    {"sin", 1, {"float8:NaN"}, "NaN"},
    {"width_bucket", 4, {"float8:5.35", "float8:0.024", "float8:10.06", "int4:5"}, "3"},
    {"width_bucket", 4, {"float8:-1", "float8:0", "float8:10", "int4:5"}, "0"},
    {"width_bucket", 4, {"float8:10", "float8:0", "float8:10", "int4:5"}, "6"},
    {"width_bucket", 4, {"float8:5", "float8:10", "float8:0", "int4:5"}, "3"},
    {"width_bucket", 4, {"float8:0", "float8:10", "float8:0", "int4:5"}, "6"},
    {"width_bucket",
     4,
     {"float8:5", "float8:0", "float8:10", "int4:0"},
     "ERROR 2201G count must be greater than zero"},
    {"width_bucket",
     4,
     {"float8:5", "float8:0", "float8:0", "int4:3"},
     "ERROR 2201G lower bound cannot equal upper bound"},
    {"width_bucket",
     4,
     {"float8:NaN", "float8:0", "float8:1", "int4:3"},
     "ERROR 2201G operand, lower bound, and upper bound cannot be NaN"},
    {"width_bucket",
     4,
     {"float8:1", "float8:0", "float8:Infinity", "int4:3"},
     "ERROR 2201G lower and upper bounds must be finite"},
    {"width_bucket",
     4,
     {"float8:20", "float8:0", "float8:10", "int4:2147483647"},
     "ERROR 22003 integer out of range"},
    {"width_bucket", 4, {"numeric:5.35", "numeric:0.024", "numeric:10.06", "int4:5"}, "3"},
    {"width_bucket", 4, {"numeric:3", "numeric:10", "numeric:0", "int4:5"}, "4"},
    {"width_bucket",
     4,
     {"numeric:NaN", "numeric:0", "numeric:10", "int4:5"},
     "ERROR 2201G operand, lower bound, and upper bound cannot be NaN"},
    {"width_bucket",
     4,
     {"numeric:3", "numeric:0", "numeric:Infinity", "int4:5"},
     "ERROR 2201G lower and upper bounds must be finite"},
    {"width_bucket", 4, {"int4:5", "int4:0", "int4:10", "int4:3"}, "2"},
    {"setseed", 1, {"float8:2"}, "ERROR 22023 setseed parameter 2 is out of allowed range [-1,1]"},
    {"ln", 1, {"numeric:3"}, "1.0986122886681097"},
    {"ln", 1, {"numeric:1.5"}, "0.4054651081081644"},
    {"ln", 1, {"numeric:0.000000000000000000001"}, "-48.354286952874959364378"},
    {"ln", 1, {"numeric:1.00000000001"}, "0.000000000009999999999950000"},
    {"ln", 1, {"numeric:12345678901234567890.123"}, "43.959837789202521"},
    {"exp", 1, {"numeric:2.5"}, "12.182493960703473"},
    {"exp", 1, {"numeric:-10"}, "0.00004539992976248485"},
    {"exp", 1, {"numeric:0.0001"}, "1.0001000050001667"},
    {"exp", 1, {"numeric:100"}, "26881171418161354484126255515800135873611119"},
    {"exp", 1, {"numeric:1.000000000000000000000"}, "2.718281828459045235360"},
    {"log", 1, {"numeric:3"}, "0.4771212547196624"},
    {"log", 2, {"numeric:7", "numeric:49"}, "2.0000000000000000"},
    {"log", 2, {"numeric:1.5", "numeric:1000"}, "17.0366207618027184"},
    {"power", 2, {"numeric:2", "numeric:0.3333"}, "1.2598919398737179"},
    {"power", 2, {"numeric:1.0001", "numeric:10000"}, "2.7181459268252249"},
    {"power", 2, {"numeric:1.5", "numeric:3.5"}, "4.1335139409466130"},
    {"power", 2, {"numeric:2", "numeric:100"}, "1267650600228229401496703205376.0000000000000000"},
    {"power", 2, {"numeric:3.0000", "numeric:-2"}, "0.1111111111111111"},
    {"power", 2, {"numeric:0.5", "numeric:40"}, "0.0000000000009095"},
    {"power", 2, {"numeric:10", "numeric:-300"}, "0.0000000000000000"},
    {"power", 2, {"numeric:12.34", "numeric:5.678"}, "1572126.4582477361"},
    {"sqrt", 1, {"numeric:0.5"}, "0.70710678118654752"},
    {"sqrt", 1, {"numeric:0.0000000001"}, "0.000010000000000000000"},
    {"sqrt", 1, {"numeric:99999999"}, "9999.9999499999999"},
    {"sqrt",
     1,
     {"numeric:1.00000000000000000000000000000001"},
     "1.00000000000000000000000000000000"},
    {"sqrt", 1, {"numeric:Infinity"}, "Infinity"},
    {"sqrt", 1, {"numeric:-Infinity"}, "ERROR 2201F cannot take square root of a negative number"},
    {"ln", 1, {"numeric:Infinity"}, "Infinity"},
    {"exp", 1, {"numeric:Infinity"}, "Infinity"},
    {"mod", 2, {"numeric:-7.5", "numeric:2"}, "-1.5"},
    {"round", 1, {"numeric:-0.5"}, "-1"},
    {"round", 2, {"numeric:99.995", "int4:2"}, "100.00"},
    {"trunc", 1, {"numeric:Infinity"}, "Infinity"},
    {"exp", 1, {"numeric:-100"}, "0.00000000000000000000000000000000000000000003720075976020836"},
    {"exp",
     1,
     {"numeric:-7000"},
     "0."
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000000000000000000000000000000000000000"},
    {"exp", 1, {"numeric:6000"}, "ERROR 22003 value overflows numeric format"},
    {"power", 2, {"numeric:0", "numeric:0.5"}, "0.0000000000000000"},
    {"power", 2, {"numeric:2", "numeric:-0.5"}, "0.7071067811865475"},
    {"power", 2, {"numeric:10", "numeric:20000.5"}, "ERROR 22003 value overflows numeric format"},
    {"power", 2, {"numeric:0.99", "numeric:-1000.5"}, "23280.258865327232"},
    {"log", 2, {"numeric:1.0000001", "numeric:2"}, "6931472.152173038"},
    {"ln", 1, {"numeric:9.999999999"}, "2.3025850928940457"},
    {"sqrt", 1, {"numeric:1e-30"}, "0.0000000000000010000000000000000"},
    {"ln",
     1,
     {"numeric:2.000000000000000000000000000000000000000"},
     "0.693147180559945309417232121458176568076"},
};

static void test_math_vs_postgres(void **state)
{
    (void)state;
    func_cases_run(math_cases, sizeof math_cases / sizeof math_cases[0]);
}

static void test_random_uses_injected_prng(void **state)
{
    (void)state;
    mice_prng a, b;
    prng_seed(&a, 42);
    prng_seed(&b, 42);
    fc.fctx.prng = &a;
    sql_datum out;
    sql_error err;
    for (int i = 0; i < 100; i++) {
        assert_int_equal(func_call_by_name("random", NULL, 0, &fc.fctx, &out, &err), MICE_OK);
        assert_int_equal(out.type, SQL_TYPE_FLOAT8);
        assert_true(out.v.f8 >= 0.0 && out.v.f8 < 1.0);
        assert_true(out.v.f8 == prng_double(&b));
    }
    /* setseed makes the sequence repeat */
    sql_datum seed = datum_float8(0.5);
    double first[3], again[3];
    assert_int_equal(func_call_by_name("setseed", &seed, 1, &fc.fctx, &out, &err), MICE_OK);
    assert_true(out.is_null);
    assert_int_equal(out.type, FUNC_TYPE_VOID);
    for (int i = 0; i < 3; i++) {
        func_call_by_name("random", NULL, 0, &fc.fctx, &out, &err);
        first[i] = out.v.f8;
    }
    func_call_by_name("setseed", &seed, 1, &fc.fctx, &out, &err);
    for (int i = 0; i < 3; i++) {
        func_call_by_name("random", NULL, 0, &fc.fctx, &out, &err);
        again[i] = out.v.f8;
    }
    assert_memory_equal(first, again, sizeof first);
    /* no prng injected: an internal error, not a crash */
    fc.fctx.prng = NULL;
    assert_int_equal(func_call_by_name("random", NULL, 0, &fc.fctx, &out, &err), MICE_INTERNAL);
    assert_string_equal(err.sqlstate, "XX000");
}

static void test_volatility(void **state)
{
    (void)state;
    func_match m;
    sql_error err;
    assert_int_equal(func_lookup("random", NULL, 0, &m, &err), MICE_OK);
    assert_int_equal(m.desc->volatility, FUNC_VOLATILE);
    sql_type_id f8 = SQL_TYPE_FLOAT8;
    assert_int_equal(func_lookup("sqrt", &f8, 1, &m, &err), MICE_OK);
    assert_int_equal(m.desc->volatility, FUNC_IMMUTABLE);
    assert_true(m.desc->strict);
    assert_false(m.desc->is_aggregate);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_math_vs_postgres, func_cases_setup, func_cases_teardown),
        cmocka_unit_test_setup_teardown(test_random_uses_injected_prng, func_cases_setup, func_cases_teardown),
        cmocka_unit_test_setup_teardown(test_volatility, func_cases_setup, func_cases_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
