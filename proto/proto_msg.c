/*
 * The helper protocol's messages: strict JSON objects with a version
 * field.  Strict parsing (lib/jsonstrict.h) means the daemon and every
 * client read a message the same way: a duplicate "user" or "op" cannot
 * name one user to the authorisation check and another to the store.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonstrict.h"
#include "proto.h"
#include "reason.h"
#include "wipe.h"

#define PROTO_JSON_FLAGS \
	(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static const char *const error_names[PROTO_E_COUNT] = {
	[PROTO_E_FORBIDDEN] = "forbidden",
	[PROTO_E_UNKNOWN_USER] = "unknown_user",
	[PROTO_E_NO_TOKEN] = "no_token",
	[PROTO_E_BAD_REQUEST] = "bad_request",
	[PROTO_E_TOO_LARGE] = "too_large",
	[PROTO_E_UNSUPPORTED_VERSION] = "unsupported_version",
	[PROTO_E_BAD_TOKEN] = "bad_token",
	[PROTO_E_INTERNAL] = "internal",
	[PROTO_E_FETCH_FAILED] = "fetch_failed",
	[PROTO_E_NO_KEY_SET] = "no_key_set"
};

const char *
proto_error_name(enum proto_error e)
{
	if ((unsigned)e >= PROTO_E_COUNT)
		return "internal";
	return error_names[e];
}

int
proto_parse(const char *buf, size_t len, struct json_object **out)
{
	struct json_object *obj = NULL;
	struct json_object *v;
	int err;

	*out = NULL;
	err = jsonstrict_parse_object(buf, len, &obj);
	if (err == PJ_ERR_NOMEM)
		goto out;
	err = PROTO_ERR_BAD_MSG;
	if (obj == NULL)
		goto out;
	v = jsonstrict_get(obj, "v");
	if (v == NULL || !json_object_is_type(v, json_type_int))
		goto out;
	if (json_object_get_int64(v) != PROTO_VERSION) {
		err = PROTO_ERR_VERSION;
		goto out;
	}
	*out = obj;
	obj = NULL;
	err = PJ_OK;
out:
	proto_put(obj);
	return err;
}

/* Wipe the strings of OBJ and everything in it. */
static void
wipe_strings(struct json_object *obj)
{
	size_t i, n;

	switch (json_object_get_type(obj)) {
	case json_type_string:
		/*
		 * json-c hands out its own buffer as const: the cast lets
		 * us clear it before json-c frees it.
		 */
		wipe((char *)(uintptr_t)json_object_get_string(obj),
		    (size_t)json_object_get_string_len(obj));
		break;
	case json_type_array:
		n = json_object_array_length(obj);
		for (i = 0; i < n; i++)
			wipe_strings(json_object_array_get_idx(obj, i));
		break;
	case json_type_object: {
		json_object_object_foreach(obj, key, val) {
			(void)key;
			wipe_strings(val);
		}
		break;
	}
	default:
		break;
	}
}

void
proto_put(struct json_object *obj)
{
	if (obj == NULL)
		return;
	wipe_strings(obj);
	json_object_put(obj);
}

int
proto_serialize(struct json_object *obj, char **buf, size_t *len)
{
	const char *s;
	size_t n = 0;
	int err = PJ_ERR_NOMEM;

	*buf = NULL;
	*len = 0;
	s = json_object_to_json_string_length(obj, PROTO_JSON_FLAGS, &n);
	if (s == NULL)
		goto out;
	if (n > PROTO_MAX_MSG) {
		err = PROTO_ERR_TOO_LARGE;
		goto out;
	}
	*buf = malloc(n + 1);
	if (*buf == NULL)
		goto out;
	memcpy(*buf, s, n + 1);
	*len = n;
	err = PJ_OK;
out:
	/* json-c keeps the text in the object: it may hold a token. */
	if (s != NULL)
		wipe((char *)(uintptr_t)s, n);
	return err;
}

struct json_object *
proto_new_msg(const char *op)
{
	struct json_object *obj;

	obj = json_object_new_object();
	if (obj == NULL)
		return NULL;
	if (json_object_object_add(obj, "v",
	    json_object_new_int(PROTO_VERSION)) != 0)
		goto fail;
	if (op != NULL && json_object_object_add(obj, "op",
	    json_object_new_string(op)) != 0)
		goto fail;
	return obj;
fail:
	json_object_put(obj);
	return NULL;
}

struct json_object *
proto_new_error(enum proto_error e, const char *msg)
{
	struct json_object *obj;

	obj = proto_new_msg(NULL);
	if (obj == NULL)
		return NULL;
	if (json_object_object_add(obj, "ok",
	    json_object_new_boolean(0)) != 0 ||
	    json_object_object_add(obj, "error",
	    json_object_new_string(proto_error_name(e))) != 0 ||
	    json_object_object_add(obj, "message",
	    json_object_new_string(msg != NULL ? msg : "")) != 0) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

bool
proto_get_str(struct json_object *obj, const char *name, const char **s)
{
	struct json_object *v;
	size_t len;

	*s = NULL;
	v = jsonstrict_get(obj, name);
	if (v == NULL || !jsonstrict_get_string(v, s, &len))
		return false;
	if (strlen(*s) != len) {
		*s = NULL;
		return false;
	}
	return true;
}
