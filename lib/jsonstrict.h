/*
 * Strict JSON (RFC 8259) on top of json-c: valid UTF-8, no duplicate
 * names in any object, no lone surrogates, no comments, trailing commas,
 * NaN or Infinity, nothing after the value, nesting at most
 * JSONSTRICT_MAX_DEPTH deep.  RFC 7515 section 5.2 and RFC 7519 section 7.2
 * make a JWS with duplicate header or claim names invalid.
 */
#ifndef PJ_JSONSTRICT_H
#define PJ_JSONSTRICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#define JSONSTRICT_MAX_DEPTH 32

/*
 * Parse the LEN bytes at BUF (no NUL needed).  Returns PJ_OK and *OUT
 * (release with json_object_put) when BUF is exactly one strict JSON
 * object, PJ_ERR_REFUSED otherwise (also when it is valid JSON but not an
 * object), PJ_ERR_NOMEM when memory ran out.
 */
int jsonstrict_parse_object(const char *buf, size_t len,
    struct json_object **out);

/*
 * Look up member NAME of object OBJ.  Returns NULL when absent.
 * (json-c's own lookup; here so that callers need no second header.)
 */
struct json_object *jsonstrict_get(struct json_object *obj,
    const char *name);

/*
 * Whether OBJ has a member NAME, whatever its value.  json-c represents a
 * JSON null as a NULL value, so jsonstrict_get() cannot tell {"kid": null}
 * from an absent kid; rules on members that must be strings "when
 * present" (RFC 7515 section 4.1) use this.
 */
bool jsonstrict_has(struct json_object *obj, const char *name);

/*
 * Resolve the JSON Pointer PTR (RFC 6901, "/realm_access/roles") in DOC.
 * Returns the value, or NULL when any step is missing or not an object or
 * array.
 */
struct json_object *jsonstrict_pointer(struct json_object *doc,
    const char *ptr);

/* Where jsonstrict_resolve() ended. */
enum jsonstrict_found {
	JSONSTRICT_ABSENT,	/* a step is missing, or PTR is malformed */
	JSONSTRICT_FOUND,	/* *V is the value (NULL: a JSON null) */
	JSONSTRICT_SCALAR,	/* a step went through a string, number,
				   boolean or null */
	JSONSTRICT_NOMEM
};

/*
 * jsonstrict_pointer() telling why it fails, for rules that refuse a
 * value of the wrong shape (a step through a scalar) rather than treat it
 * as absent, and that must tell a JSON null from no value.  DOC and PTR
 * must not be NULL.  Sets *V (NULL unless JSONSTRICT_FOUND).
 */
enum jsonstrict_found jsonstrict_resolve(struct json_object *doc,
    const char *ptr, struct json_object **v);

/*
 * A JSON number as a time value: true and *OUT when V is a finite number
 * with |V| < 2^63; a fraction is rounded up to the next integer, which
 * keeps every comparison with an integer "now" exact (now >= exp, now <
 * nbf, iat > now).  False for any other type or value.
 */
bool jsonstrict_get_time(struct json_object *v, int64_t *out);

/*
 * The string value of V and its length: true when V is a string; the
 * length counts every byte, so an embedded NUL is visible to callers.
 */
bool jsonstrict_get_string(struct json_object *v, const char **s,
    size_t *len);

#endif
