// SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
/*
 * skv._skv: the CPython extension over libskvdev.
 *
 * Every system call runs with the GIL released. A Table may be shared by
 * threads: struct skv_table keeps no mutable state, and the object only
 * counts (under the GIL) the calls in flight, so that close() from one
 * thread never frees the handle under a call of another; the last call out
 * closes it. Scan iterators, batches and watches hold mutable C state: each
 * is used by one thread at a time, and a second thread gets RuntimeError
 * instead of a corrupted iterator. After os.fork() the child's copies work
 * (the fds are inherited), except a Watch: its netlink socket and its
 * subscriptions stay the parent's, so the child must open its own.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <structseq.h>

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <skvdev.h>

/* GET tries a buffer of this size first: one system call for most values. */
#define SKV_PY_GET_STACK	4096
/* Each GET of a batch gets a buffer this big; longer values are fetched again. */
#define SKV_PY_BATCH_GETBUF	4096

static PyObject *skv_Error, *skv_StaleError, *skv_QuotaError, *skv_FullError;
static PyTypeObject skv_EntryType, skv_StatsType, skv_InfoType, skv_EventType;

/* Bumped in every child of fork(): marks the "busy" flags of calls that were
 * in flight in the parent's other threads as stale. */
static volatile unsigned int skv_fork_gen;

static void skv_atfork_child(void)
{
	skv_fork_gen++;
}

/* Arguments ---------------------------------------------------------------- */

/*
 * A METH_FASTCALL | METH_KEYWORDS parser: @names are the parameters, the
 * first @npos of which may be positional, the first @nreq required. @out
 * gets a borrowed reference or NULL for each.
 */
static int skv_parse(const char *fname, PyObject *const *args,
		     Py_ssize_t nargs, PyObject *kwnames,
		     const char *const *names, int nnames, int npos, int nreq,
		     PyObject **out)
{
	Py_ssize_t i, nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
	int j;

	for (j = 0; j < nnames; j++)
		out[j] = NULL;
	if (nargs > npos) {
		PyErr_Format(PyExc_TypeError,
			     "%s() takes at most %d positional argument%s (%zd given)",
			     fname, npos, npos == 1 ? "" : "s", nargs);
		return -1;
	}
	for (i = 0; i < nargs; i++)
		out[i] = args[i];
	for (i = 0; i < nkw; i++) {
		PyObject *kw = PyTuple_GET_ITEM(kwnames, i);

		for (j = 0; j < nnames; j++)
			if (!PyUnicode_CompareWithASCIIString(kw, names[j]))
				break;
		if (j == nnames) {
			PyErr_Format(PyExc_TypeError,
				     "%s() got an unexpected keyword argument '%U'",
				     fname, kw);
			return -1;
		}
		if (out[j]) {
			PyErr_Format(PyExc_TypeError,
				     "%s() got multiple values for argument '%s'",
				     fname, names[j]);
			return -1;
		}
		out[j] = args[nargs + i];
	}
	for (j = 0; j < nreq; j++) {
		if (!out[j]) {
			PyErr_Format(PyExc_TypeError,
				     "%s() missing required argument '%s'",
				     fname, names[j]);
			return -1;
		}
	}
	return 0;
}

/* A key or value: bytes, str (as UTF-8) or any object with the buffer
 * protocol (held, so a bytearray cannot be resized while the GIL is out). */
struct skv_bytes {
	const char *p;
	Py_ssize_t len;
	Py_buffer view;
	int has_view;
};

static int skv_bytes_get(PyObject *o, struct skv_bytes *b, const char *what)
{
	b->has_view = 0;
	if (PyBytes_Check(o)) {
		b->p = PyBytes_AS_STRING(o);
		b->len = PyBytes_GET_SIZE(o);
	} else if (PyUnicode_Check(o)) {
		b->p = PyUnicode_AsUTF8AndSize(o, &b->len);
		if (!b->p)
			return -1;
	} else if (PyObject_CheckBuffer(o)) {
		if (PyObject_GetBuffer(o, &b->view, PyBUF_SIMPLE))
			return -1;
		b->has_view = 1;
		b->p = b->view.buf;
		b->len = b->view.len;
	} else {
		PyErr_Format(PyExc_TypeError, "%s must be bytes or str, not %.100s",
			     what, Py_TYPE(o)->tp_name);
		return -1;
	}
	return 0;
}

static void skv_bytes_release(struct skv_bytes *b)
{
	if (b->has_view)
		PyBuffer_Release(&b->view);
	b->has_view = 0;
}

static int skv_key_get(PyObject *o, struct skv_bytes *b)
{
	if (skv_bytes_get(o, b, "key"))
		return -1;
	if (!b->len || b->len > SKV_KEY_LEN_CAP) {
		skv_bytes_release(b);
		PyErr_Format(PyExc_ValueError,
			     "key must be 1 to %d bytes long, not %zd",
			     SKV_KEY_LEN_CAP, b->len);
		return -1;
	}
	return 0;
}

static int skv_value_get(PyObject *o, struct skv_bytes *b)
{
	if (skv_bytes_get(o, b, "value"))
		return -1;
	if (b->len > (Py_ssize_t)SKV_VALUE_LEN_CAP) {
		skv_bytes_release(b);
		PyErr_Format(PyExc_ValueError,
			     "value must be at most %d bytes long, not %zd",
			     SKV_VALUE_LEN_CAP, b->len);
		return -1;
	}
	return 0;
}

/* A TTL in float seconds (int accepted) as milliseconds, rounded up. */
static int skv_ttl_get(PyObject *o, uint64_t *ms, int allow_zero)
{
	double s;

	if (PyBool_Check(o) || !(PyFloat_Check(o) || PyLong_Check(o))) {
		PyErr_Format(PyExc_TypeError,
			     "ttl must be a number of seconds, not %.100s",
			     Py_TYPE(o)->tp_name);
		return -1;
	}
	s = PyFloat_AsDouble(o);
	if (s == -1.0 && PyErr_Occurred())
		return -1;
	if (isnan(s) || s < 0 || (s == 0 && !allow_zero)) {
		PyErr_Format(PyExc_ValueError, "ttl must be %s, not %R",
			     allow_zero ? "zero or positive" : "positive", o);
		return -1;
	}
	/* 2^53 ms keeps the conversion exact; that is 285,000 years. */
	if (s * 1000.0 > 9007199254740992.0) {
		PyErr_Format(PyExc_OverflowError, "ttl %R is too large", o);
		return -1;
	}
	*ms = (uint64_t)ceil(s * 1000.0);
	if (!*ms && s > 0)
		*ms = 1;
	return 0;
}

static PyObject *skv_ttl_obj(uint64_t ms)
{
	if (!ms)
		Py_RETURN_NONE;
	return PyFloat_FromDouble((double)ms / 1000.0);
}

static int skv_u64_get(PyObject *o, uint64_t *v, const char *what)
{
	unsigned long long x;

	if (PyBool_Check(o) || !PyLong_Check(o)) {
		PyErr_Format(PyExc_TypeError, "%s must be an int, not %.100s",
			     what, Py_TYPE(o)->tp_name);
		return -1;
	}
	x = PyLong_AsUnsignedLongLong(o);
	if (x == (unsigned long long)-1 && PyErr_Occurred())
		return -1;
	*v = x;
	return 0;
}

static int skv_u32_get(PyObject *o, uint32_t *v, const char *what)
{
	uint64_t x;

	if (skv_u64_get(o, &x, what))
		return -1;
	if (x > UINT32_MAX) {
		PyErr_Format(PyExc_OverflowError, "%s must fit in 32 bits", what);
		return -1;
	}
	*v = (uint32_t)x;
	return 0;
}

static int skv_i64_get(PyObject *o, int64_t *v, const char *what)
{
	long long x;

	if (PyBool_Check(o) || !PyLong_Check(o)) {
		PyErr_Format(PyExc_TypeError, "%s must be an int, not %.100s",
			     what, Py_TYPE(o)->tp_name);
		return -1;
	}
	x = PyLong_AsLongLong(o);
	if (x == -1 && PyErr_Occurred())
		return -1;
	*v = x;
	return 0;
}

static int skv_bool_get(PyObject *o, int *v)
{
	int r;

	if (!o) {
		*v = 0;
		return 0;
	}
	r = PyObject_IsTrue(o);
	if (r < 0)
		return -1;
	*v = r;
	return 0;
}

/* A table name: str or bytes, 1..63 bytes, no NUL (the kernel checks the
 * characters). */
static int skv_name_get(PyObject *o, char name[SKV_NAME_MAX])
{
	struct skv_bytes b;
	int ret = 0;

	if (skv_bytes_get(o, &b, "table name"))
		return -1;
	if (!b.len || b.len >= SKV_NAME_MAX || memchr(b.p, 0, b.len)) {
		PyErr_Format(PyExc_ValueError,
			     "table name must be 1 to %d bytes of [A-Za-z0-9._-], not %R",
			     SKV_NAME_MAX - 1, o);
		ret = -1;
	} else {
		memset(name, 0, SKV_NAME_MAX);
		memcpy(name, b.p, b.len);
	}
	skv_bytes_release(&b);
	return ret;
}

/* Errors ------------------------------------------------------------------- */

/*
 * Raise the exception for -@err. @key (may be NULL) names what the call was
 * about: a missing key is KeyError(key), without a key ENOENT is
 * FileNotFoundError. Every exception carries .errno.
 */
static PyObject *skv_raise(int err, PyObject *key, const char *context)
{
	PyObject *type, *exc, *msg, *num;

	err = -err;
	if (err == ENOENT && key) {
		exc = PyObject_CallOneArg(PyExc_KeyError, key);
		goto set_errno;
	}
	switch (err) {
	case EACCES:
	case EPERM:
	case EBADF:	/* a write on a read-only table */
		type = PyExc_PermissionError;
		break;
	case EEXIST:
		type = PyExc_FileExistsError;
		break;
	case ENOENT:
		type = PyExc_FileNotFoundError;
		break;
	case ESTALE:
		type = skv_StaleError;
		break;
	case EDQUOT:
		type = skv_QuotaError;
		break;
	case ENOSPC:
	case EFBIG:
		type = skv_FullError;
		break;
	case EINVAL:
	case E2BIG:
	case EDOM:
	case ERANGE:
		type = PyExc_ValueError;
		goto plain;
	case EOVERFLOW:
		type = PyExc_OverflowError;
		goto plain;
	case ENOMEM:
		return PyErr_NoMemory();
	default:
		type = PyExc_OSError;
		break;
	}
	if (key)
		exc = PyObject_CallFunction(type, "isO", err, strerror(err), key);
	else if (context)
		exc = PyObject_CallFunction(type, "iss", err, strerror(err), context);
	else
		exc = PyObject_CallFunction(type, "is", err, strerror(err));
	if (!exc)
		return NULL;
	PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
	Py_DECREF(exc);
	return NULL;
plain:
	if (key)
		msg = PyUnicode_FromFormat("[Errno %d] %s: %R", err, strerror(err), key);
	else
		msg = PyUnicode_FromFormat("[Errno %d] %s: %s", err, strerror(err),
					   context ? context : "skv");
	if (!msg)
		return NULL;
	exc = PyObject_CallOneArg(type, msg);
	Py_DECREF(msg);
set_errno:
	if (!exc)
		return NULL;
	num = PyLong_FromLong(err);
	if (!num || PyObject_SetAttrString(exc, "errno", num)) {
		Py_XDECREF(num);
		Py_DECREF(exc);
		return NULL;
	}
	Py_DECREF(num);
	PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
	Py_DECREF(exc);
	return NULL;
}

/* Result types ------------------------------------------------------------- */

static PyStructSequence_Field skv_entry_fields[] = {
	{ "value", "the value, bytes" },
	{ "version", "the entry's version, strictly increasing per table" },
	{ "ttl", "remaining time to live in seconds, None if it does not expire" },
	{ "flags", "the 32 user flags stored with the entry" },
	{ NULL }
};

static PyStructSequence_Desc skv_entry_desc = {
	"skv.Entry",
	"An entry with its metadata: (value, version, ttl, flags).",
	skv_entry_fields, 4,
};

static PyStructSequence_Field skv_stats_fields[] = {
	{ "entries", "entries in the table" },
	{ "bytes", "bytes of keys and values" },
	{ "hits", "lookups that found their key" },
	{ "misses", "lookups that did not" },
	{ "writes", "successful writes" },
	{ "deletes", "successful deletes" },
	{ "evictions", "entries evicted from a full table (policy 'lru')" },
	{ "expirations", "entries whose TTL ran out" },
	{ NULL }
};

static PyStructSequence_Desc skv_stats_desc = {
	"skv.Stats", "A table's counters, summed by the kernel at the time of the call.",
	skv_stats_fields, 8,
};

static PyStructSequence_Field skv_info_fields[] = {
	{ "name", "the table's name" },
	{ "max_entries", "entries allowed" },
	{ "max_bytes", "key and value bytes allowed" },
	{ "max_key_len", "longest key, bytes" },
	{ "max_value_len", "longest value, bytes" },
	{ "ttl", "default time to live in seconds, None for none" },
	{ "policy", "what a full table does: 'none' (FullError) or 'lru' (evict)" },
	{ "mode", "permission bits, as for files" },
	{ "uid", "owner" },
	{ "gid", "group" },
	{ "readonly", "True if this handle was opened read-only" },
	{ NULL }
};

static PyStructSequence_Desc skv_info_desc = {
	"skv.Info", "A table's attributes.", skv_info_fields, 11,
};

static PyStructSequence_Field skv_event_fields[] = {
	{ "type", "'set', 'delete', 'expired', 'evicted', 'flushed' or 'table_deleted'" },
	{ "table", "the table's name" },
	{ "key", "the key, bytes (None for 'flushed' and 'table_deleted')" },
	{ "version", "the entry's version" },
	{ "seq", "sequence number of the event in its subscription, from 1" },
	{ "lost", "events of this subscription the kernel dropped so far" },
	{ "missed", "events missing right before this one (a gap), 0 if none" },
	{ "value", "with watch(values=True), a set event's new value, bytes; "
		   "None for other events or a value over 65531 bytes" },
	{ "ttl", "with value: the key's time to live left, seconds; None = none" },
	{ NULL }
};

static PyStructSequence_Desc skv_event_desc = {
	"skv.Event",
	"A change to a watched table. A nonzero missed means events were lost "
	"before this one: resynchronise (scan the table) if you keep a copy. "
	"value and ttl are attributes only: the tuple keeps its 7 items.",
	skv_event_fields, 7,
};

static PyObject *skv_policy_obj(uint32_t policy)
{
	switch (policy) {
	case SKV_POLICY_NONE:
		return PyUnicode_FromString("none");
	case SKV_POLICY_LRU:
		return PyUnicode_FromString("lru");
	default:
		return PyLong_FromUnsignedLong(policy);
	}
}

static int skv_policy_get(PyObject *o, uint32_t *policy)
{
	if (!PyUnicode_Check(o)) {
		PyErr_Format(PyExc_TypeError, "policy must be 'none' or 'lru', not %.100s",
			     Py_TYPE(o)->tp_name);
		return -1;
	}
	if (!PyUnicode_CompareWithASCIIString(o, "none")) {
		*policy = SKV_POLICY_NONE;
	} else if (!PyUnicode_CompareWithASCIIString(o, "lru")) {
		*policy = SKV_POLICY_LRU;
	} else {
		PyErr_Format(PyExc_ValueError, "policy must be 'none' or 'lru', not %R", o);
		return -1;
	}
	return 0;
}

/* Table -------------------------------------------------------------------- */

typedef struct {
	PyObject_HEAD
	struct skv_table *t;
	int busy;		/* calls in flight with the GIL released */
	unsigned int busy_gen;	/* skv_fork_gen when busy was last nonzero */
	int closed;
	int readonly;
	char name[SKV_NAME_MAX];
	PyObject *weakrefs;
} TableObject;

static PyTypeObject skv_TableType;

static void table_really_close(TableObject *self)
{
	struct skv_table *t = self->t;

	self->t = NULL;
	if (t) {
		Py_BEGIN_ALLOW_THREADS
		skv_table_close(t);
		Py_END_ALLOW_THREADS
	}
}

/* Called with the GIL held before a call releases it. */
static int table_enter(TableObject *self)
{
	if (self->closed || !self->t) {
		PyErr_SetString(PyExc_ValueError, "operation on a closed skv table");
		return -1;
	}
	if (self->busy_gen != skv_fork_gen) {
		/* a fork's child: the parent's other threads are not here */
		self->busy = 0;
		self->busy_gen = skv_fork_gen;
	}
	self->busy++;
	return 0;
}

static void table_leave(TableObject *self)
{
	if (--self->busy == 0 && self->closed)
		table_really_close(self);
}

#define TABLE_CALL(self, stmt) do {		\
		Py_BEGIN_ALLOW_THREADS		\
		stmt;				\
		Py_END_ALLOW_THREADS		\
	} while (0)

static PyObject *table_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = { "name", "create", "mode", "max_entries", "ttl",
				  "policy", "readonly", "max_bytes", "max_key_len",
				  "max_value_len", "exclusive", "mapped", NULL };
	PyObject *name_o, *mode_o = NULL, *max_entries_o = Py_None, *ttl_o = Py_None;
	PyObject *policy_o = Py_None, *max_bytes_o = Py_None;
	PyObject *max_key_o = Py_None, *max_value_o = Py_None;
	int create = 0, readonly = 0, exclusive = 0, mapped = 0, ret;
	struct skv_table_attr attr = { 0 };
	struct skv_table *t = NULL;
	struct skv_dev *dev;
	TableObject *self;
	char name[SKV_NAME_MAX];
	uint32_t flags = 0;
	uint64_t u64;

	if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|pOOOOp$OOOpp:open", kwlist,
					 &name_o, &create, &mode_o, &max_entries_o,
					 &ttl_o, &policy_o, &readonly, &max_bytes_o,
					 &max_key_o, &max_value_o, &exclusive, &mapped))
		return NULL;
	if (skv_name_get(name_o, name))
		return NULL;
	if (mode_o && mode_o != Py_None) {
		if (skv_u32_get(mode_o, &attr.mode, "mode"))
			return NULL;
		if (attr.mode > 0777 || !attr.mode) {
			PyErr_Format(PyExc_ValueError, "mode must be 0o1 to 0o777, not %R", mode_o);
			return NULL;
		}
	} else {
		attr.mode = SKV_DEFAULT_MODE;
	}
	if (max_entries_o != Py_None) {
		if (skv_u64_get(max_entries_o, &u64, "max_entries"))
			return NULL;
		attr.max_entries = u64;
	}
	if (max_bytes_o != Py_None) {
		if (skv_u64_get(max_bytes_o, &u64, "max_bytes"))
			return NULL;
		attr.max_bytes = u64;
	}
	if (max_key_o != Py_None &&
	    skv_u32_get(max_key_o, &attr.max_key_len, "max_key_len"))
		return NULL;
	if (max_value_o != Py_None &&
	    skv_u32_get(max_value_o, &attr.max_value_len, "max_value_len"))
		return NULL;
	if (ttl_o != Py_None) {
		if (skv_ttl_get(ttl_o, &u64, 0))
			return NULL;
		attr.default_ttl_ms = u64;
	}
	if (policy_o != Py_None && skv_policy_get(policy_o, &attr.policy))
		return NULL;
	if (create) {
		flags |= SKV_OPEN_CREATE;
		if (exclusive)
			flags |= SKV_OPEN_EXCL;
	} else if (exclusive || mapped) {
		PyErr_SetString(PyExc_ValueError, exclusive ?
				"exclusive=True needs create=True" :
				"mapped=True needs create=True");
		return NULL;
	} else if (attr.max_entries || attr.max_bytes || attr.max_key_len ||
		   attr.max_value_len || attr.default_ttl_ms || attr.policy) {
		/* mode alone is ignored: open() always passes its default */
		PyErr_SetString(PyExc_ValueError,
				"table attributes are given only with create=True");
		return NULL;
	}
	if (readonly)
		flags |= SKV_OPEN_RDONLY;

	Py_BEGIN_ALLOW_THREADS
	ret = skv_dev_open(NULL, &dev);
	if (!ret) {
		ret = skv_table_open2(dev, name, flags, create ? &attr : NULL,
				      mapped ? SKV_TABLE_MAPPED : 0, &t);
		skv_dev_close(dev);
	}
	Py_END_ALLOW_THREADS
	if (ret)
		return skv_raise(ret, NULL, name);

	self = (TableObject *)type->tp_alloc(type, 0);
	if (!self) {
		TABLE_CALL(self, skv_table_close(t));
		return NULL;
	}
	self->t = t;
	self->readonly = readonly;
	self->busy_gen = skv_fork_gen;
	memcpy(self->name, name, SKV_NAME_MAX);
	return (PyObject *)self;
}

static void table_dealloc(TableObject *self)
{
	PyObject_GC_UnTrack(self);
	if (self->weakrefs)
		PyObject_ClearWeakRefs((PyObject *)self);
	/* nobody can be in a call: they would hold a reference */
	table_really_close(self);
	Py_TYPE(self)->tp_free((PyObject *)self);
}

/*
 * A Table references no object. (The type is static: a subclass's
 * subtype_traverse() visits its own heap type, which must not be visited
 * twice.)
 */
static int table_traverse(TableObject *self, visitproc visit, void *arg)
{
	return 0;
}

/*
 * GET or GETDEL @key into a new bytes object: a stack buffer first, then
 * an exact one as long as the value keeps outgrowing it. Returns NULL with
 * *@err set (0 means a Python exception is set).
 */
static PyObject *table_fetch(TableObject *self, int getdel,
			     struct skv_bytes *k, struct skv_meta *meta, int *err)
{
	char stack_buf[SKV_PY_GET_STACK];
	size_t len = sizeof(stack_buf);
	PyObject *v;
	int ret, tries;

	*err = 0;
	if (table_enter(self))
		return NULL;
	Py_BEGIN_ALLOW_THREADS
	ret = getdel ? skv_getdel(self->t, k->p, k->len, stack_buf, &len, meta) :
		       skv_get(self->t, k->p, k->len, stack_buf, &len, meta);
	Py_END_ALLOW_THREADS
	if (!ret) {
		table_leave(self);
		return PyBytes_FromStringAndSize(stack_buf, len);
	}
	v = NULL;
	for (tries = 0; ret == -ERANGE && tries < 16; tries++) {
		Py_XDECREF(v);
		v = PyBytes_FromStringAndSize(NULL, len);
		if (!v) {
			table_leave(self);
			return NULL;
		}
		Py_BEGIN_ALLOW_THREADS
		ret = getdel ? skv_getdel(self->t, k->p, k->len, PyBytes_AS_STRING(v), &len, meta) :
			       skv_get(self->t, k->p, k->len, PyBytes_AS_STRING(v), &len, meta);
		Py_END_ALLOW_THREADS
	}
	table_leave(self);
	if (ret) {
		Py_XDECREF(v);
		*err = ret == -ERANGE ? -EAGAIN : ret;
		return NULL;
	}
	if ((Py_ssize_t)len != PyBytes_GET_SIZE(v) && _PyBytes_Resize(&v, len))
		return NULL;
	return v;
}

static PyObject *skv_entry_new(PyObject *value, const struct skv_meta *m)
{
	PyObject *e = PyStructSequence_New(&skv_EntryType);

	if (!e) {
		Py_DECREF(value);
		return NULL;
	}
	PyStructSequence_SET_ITEM(e, 0, value);
	PyStructSequence_SET_ITEM(e, 1, PyLong_FromUnsignedLongLong(m->version));
	PyStructSequence_SET_ITEM(e, 2, skv_ttl_obj(m->ttl_ms));
	PyStructSequence_SET_ITEM(e, 3, PyLong_FromUnsignedLong(m->user_flags));
	if (!PyStructSequence_GET_ITEM(e, 1) || !PyStructSequence_GET_ITEM(e, 2) ||
	    !PyStructSequence_GET_ITEM(e, 3)) {
		Py_DECREF(e);
		return NULL;
	}
	return e;
}

/* get and getdel: (key, default=None, *, meta=False) */
static PyObject *table_get_common(TableObject *self, int getdel,
				  const char *fname, PyObject *const *args,
				  Py_ssize_t nargs, PyObject *kwnames,
				  PyObject *missing)
{
	static const char *const names[] = { "key", "default", "meta" };
	struct skv_meta meta;
	struct skv_bytes k;
	PyObject *a[3], *v;
	int want_meta, err;

	if (skv_parse(fname, args, nargs, kwnames, names, 3, 2, 1, a))
		return NULL;
	if (skv_bool_get(a[2], &want_meta) || skv_key_get(a[0], &k))
		return NULL;
	v = table_fetch(self, getdel, &k, &meta, &err);
	skv_bytes_release(&k);
	if (!v) {
		if (err == -ENOENT) {
			if (a[1])
				return Py_NewRef(a[1]);
			if (missing)
				return Py_NewRef(missing);
		}
		return err ? skv_raise(err, a[0], fname) : NULL;
	}
	return want_meta ? skv_entry_new(v, &meta) : v;
}

PyDoc_STRVAR(table_get_doc,
"get(key, default=None, *, meta=False)\n--\n\n"
"Return the value of key (bytes), or default if it is absent or expired.\n"
"With meta=True return an skv.Entry (value, version, ttl, flags) instead,\n"
"or default.");

static PyObject *table_get(TableObject *self, PyObject *const *args,
			   Py_ssize_t nargs, PyObject *kwnames)
{
	return table_get_common(self, 0, "get", args, nargs, kwnames, Py_None);
}

PyDoc_STRVAR(table_getdel_doc,
"getdel(key[, default], *, meta=False)\n\n"
"Remove key and return its value, atomically (the kernel's GETDEL).\n"
"A missing key returns default if given, else raises KeyError.\n"
"With meta=True return an skv.Entry. pop() is the same method.");

PyDoc_STRVAR(table_pop_doc,
"pop(key[, default], *, meta=False)\n\n"
"The same as getdel(): remove key and return its value, atomically.");

static PyObject *table_getdel(TableObject *self, PyObject *const *args,
			      Py_ssize_t nargs, PyObject *kwnames)
{
	return table_get_common(self, 1, "getdel", args, nargs, kwnames, NULL);
}

static PyObject *table_subscript(TableObject *self, PyObject *key)
{
	struct skv_meta meta;
	struct skv_bytes k;
	PyObject *v;
	int err;

	if (skv_key_get(key, &k))
		return NULL;
	v = table_fetch(self, 0, &k, &meta, &err);
	skv_bytes_release(&k);
	if (!v && err)
		return skv_raise(err, key, "get");
	return v;
}

/* put(key, value, *, ttl=None, nx=False, xx=False, cas=None, flags=0) */
static int table_put_args(PyObject *ttl_o, PyObject *nx_o, PyObject *xx_o,
			  PyObject *cas_o, PyObject *flags_o,
			  struct skv_put_opts *o)
{
	int nx, xx;

	memset(o, 0, sizeof(*o));
	if (skv_bool_get(nx_o, &nx) || skv_bool_get(xx_o, &xx))
		return -1;
	if (nx && (xx || (cas_o && cas_o != Py_None))) {
		PyErr_SetString(PyExc_ValueError, "nx cannot be combined with xx or cas");
		return -1;
	}
	if (nx)
		o->flags |= SKV_PUT_NX;
	if (xx)
		o->flags |= SKV_PUT_XX;
	if (cas_o && cas_o != Py_None) {
		if (skv_u64_get(cas_o, &o->cas_version, "cas"))
			return -1;
		o->flags |= SKV_PUT_CAS;
	}
	if (ttl_o && ttl_o != Py_None) {
		if (skv_ttl_get(ttl_o, &o->ttl_ms, 0))
			return -1;
		o->flags |= SKV_PUT_TTL;
	}
	if (flags_o && skv_u32_get(flags_o, &o->user_flags, "flags"))
		return -1;
	return 0;
}

PyDoc_STRVAR(table_put_doc,
"put(key, value, *, ttl=None, nx=False, xx=False, cas=None, flags=0)\n--\n\n"
"Store value under key and return the entry's new version (int).\n\n"
"ttl    expire after this many seconds (float); None: the table's default\n"
"nx     only if key is absent, else FileExistsError\n"
"xx     only if key is present, else KeyError\n"
"cas    only if key is present with this version: KeyError if absent,\n"
"       skv.StaleError if another version\n"
"flags  32 bits stored with the entry (memcached-style)\n"
"A full table raises skv.FullError, a user over quota skv.QuotaError.");

static PyObject *table_put(TableObject *self, PyObject *const *args,
			   Py_ssize_t nargs, PyObject *kwnames)
{
	static const char *const names[] = { "key", "value", "ttl", "nx", "xx",
					     "cas", "flags" };
	struct skv_put_opts opts;
	struct skv_bytes k, v;
	uint64_t version = 0;
	PyObject *a[7];
	int ret;

	if (skv_parse("put", args, nargs, kwnames, names, 7, 2, 2, a))
		return NULL;
	if (table_put_args(a[2], a[3], a[4], a[5], a[6], &opts))
		return NULL;
	if (skv_key_get(a[0], &k))
		return NULL;
	if (skv_value_get(a[1], &v)) {
		skv_bytes_release(&k);
		return NULL;
	}
	if (table_enter(self)) {
		ret = 1;
	} else {
		Py_BEGIN_ALLOW_THREADS
		ret = skv_put(self->t, k.p, k.len, v.p, v.len, &opts, &version);
		Py_END_ALLOW_THREADS
		table_leave(self);
	}
	skv_bytes_release(&k);
	skv_bytes_release(&v);
	if (ret > 0)
		return NULL;
	if (ret)
		return skv_raise(ret, a[0], "put");
	return PyLong_FromUnsignedLongLong(version);
}

static int table_delete_key(TableObject *self, PyObject *key, uint32_t flags,
			    uint64_t cas, uint64_t *version)
{
	struct skv_bytes k;
	int ret;

	if (skv_key_get(key, &k))
		return -1;
	if (table_enter(self)) {
		skv_bytes_release(&k);
		return -1;
	}
	Py_BEGIN_ALLOW_THREADS
	ret = skv_delete(self->t, k.p, k.len, flags, cas, version);
	Py_END_ALLOW_THREADS
	table_leave(self);
	skv_bytes_release(&k);
	if (ret) {
		skv_raise(ret, key, "delete");
		return -1;
	}
	return 0;
}

static int table_ass_subscript(TableObject *self, PyObject *key, PyObject *value)
{
	struct skv_bytes k, v;
	uint64_t version;
	int ret;

	if (!value)
		return table_delete_key(self, key, 0, 0, &version);
	if (skv_key_get(key, &k))
		return -1;
	if (skv_value_get(value, &v)) {
		skv_bytes_release(&k);
		return -1;
	}
	if (table_enter(self)) {
		ret = 1;
	} else {
		Py_BEGIN_ALLOW_THREADS
		ret = skv_put(self->t, k.p, k.len, v.p, v.len, NULL, NULL);
		Py_END_ALLOW_THREADS
		table_leave(self);
	}
	skv_bytes_release(&k);
	skv_bytes_release(&v);
	if (ret > 0)
		return -1;
	if (ret) {
		skv_raise(ret, key, "put");
		return -1;
	}
	return 0;
}

PyDoc_STRVAR(table_delete_doc,
"delete(key, *, cas=None)\n--\n\n"
"Delete key and return the version it had. KeyError if it is absent;\n"
"with cas, only if its version is cas, else skv.StaleError.");

static PyObject *table_delete(TableObject *self, PyObject *const *args,
			      Py_ssize_t nargs, PyObject *kwnames)
{
	static const char *const names[] = { "key", "cas" };
	uint64_t cas = 0, version = 0;
	uint32_t flags = 0;
	PyObject *a[2];

	if (skv_parse("delete", args, nargs, kwnames, names, 2, 1, 1, a))
		return NULL;
	if (a[1] && a[1] != Py_None) {
		if (skv_u64_get(a[1], &cas, "cas"))
			return NULL;
		flags = SKV_DEL_CAS;
	}
	if (table_delete_key(self, a[0], flags, cas, &version))
		return NULL;
	return PyLong_FromUnsignedLongLong(version);
}

PyDoc_STRVAR(table_incr_doc,
"incr(key, delta=1)\n--\n\n"
"Add delta to the integer stored at key (ASCII decimal, as Redis INCRBY)\n"
"and return the result. An absent key counts as 0. ValueError if the value\n"
"is not an integer, OverflowError if the result leaves the signed 64-bit\n"
"range. Decrement with a negative delta.");

static PyObject *table_incr(TableObject *self, PyObject *const *args,
			    Py_ssize_t nargs, PyObject *kwnames)
{
	static const char *const names[] = { "key", "delta" };
	int64_t delta = 1, value = 0;
	struct skv_bytes k;
	PyObject *a[2];
	int ret;

	if (skv_parse("incr", args, nargs, kwnames, names, 2, 2, 1, a))
		return NULL;
	if (a[1] && skv_i64_get(a[1], &delta, "delta"))
		return NULL;
	if (skv_key_get(a[0], &k))
		return NULL;
	if (table_enter(self)) {
		skv_bytes_release(&k);
		return NULL;
	}
	Py_BEGIN_ALLOW_THREADS
	ret = skv_incr(self->t, k.p, k.len, delta, &value, NULL);
	Py_END_ALLOW_THREADS
	table_leave(self);
	skv_bytes_release(&k);
	if (ret)
		return skv_raise(ret, a[0], "incr");
	return PyLong_FromLongLong(value);
}

static int table_contains(TableObject *self, PyObject *key)
{
	struct skv_bytes k;
	size_t len = 0;
	int ret;

	if (skv_key_get(key, &k))
		return -1;
	if (table_enter(self)) {
		skv_bytes_release(&k);
		return -1;
	}
	/* A zero-length buffer: present is 0 or -ERANGE, nothing is copied. */
	Py_BEGIN_ALLOW_THREADS
	ret = skv_get(self->t, k.p, k.len, NULL, &len, NULL);
	Py_END_ALLOW_THREADS
	table_leave(self);
	skv_bytes_release(&k);
	if (!ret || ret == -ERANGE)
		return 1;
	if (ret == -ENOENT)
		return 0;
	skv_raise(ret, key, "get");
	return -1;
}

PyDoc_STRVAR(table_flush_doc,
"flush()\n--\n\nDelete every entry; return how many there were.");

static PyObject *table_flush(TableObject *self, PyObject *unused)
{
	uint64_t count = 0;
	int ret;

	if (table_enter(self))
		return NULL;
	TABLE_CALL(self, ret = skv_table_flush(self->t, &count));
	table_leave(self);
	if (ret)
		return skv_raise(ret, NULL, self->name);
	return PyLong_FromUnsignedLongLong(count);
}

PyDoc_STRVAR(table_clear_doc,
"clear()\n--\n\nDelete every entry (one FLUSH, not one delete per key).");

static PyObject *table_clear(TableObject *self, PyObject *unused)
{
	PyObject *r = table_flush(self, NULL);

	if (!r)
		return NULL;
	Py_DECREF(r);
	Py_RETURN_NONE;
}

static int table_read_stats(TableObject *self, struct skv_stats *st)
{
	int ret;

	if (table_enter(self))
		return -1;
	TABLE_CALL(self, ret = skv_table_stats(self->t, st));
	table_leave(self);
	if (ret) {
		skv_raise(ret, NULL, self->name);
		return -1;
	}
	return 0;
}

PyDoc_STRVAR(table_stats_doc,
"stats()\n--\n\nReturn the table's counters as an skv.Stats.");

static PyObject *table_stats(TableObject *self, PyObject *unused)
{
	struct skv_stats st;
	uint64_t vals[8];
	PyObject *r;
	int i;

	if (table_read_stats(self, &st))
		return NULL;
	vals[0] = st.entries;
	vals[1] = st.bytes;
	vals[2] = st.hits;
	vals[3] = st.misses;
	vals[4] = st.writes;
	vals[5] = st.deletes;
	vals[6] = st.evictions;
	vals[7] = st.expirations;
	r = PyStructSequence_New(&skv_StatsType);
	if (!r)
		return NULL;
	for (i = 0; i < 8; i++) {
		PyObject *n = PyLong_FromUnsignedLongLong(vals[i]);

		if (!n) {
			Py_DECREF(r);
			return NULL;
		}
		PyStructSequence_SET_ITEM(r, i, n);
	}
	return r;
}

static Py_ssize_t table_length(TableObject *self)
{
	struct skv_stats st;

	if (table_read_stats(self, &st))
		return -1;
	return st.entries > PY_SSIZE_T_MAX ? PY_SSIZE_T_MAX : (Py_ssize_t)st.entries;
}

PyDoc_STRVAR(table_info_doc,
"info()\n--\n\nReturn the table's attributes as an skv.Info.");

static PyObject *table_info(TableObject *self, PyObject *unused)
{
	struct skv_info in;
	PyObject *r;
	int ret, i;

	if (table_enter(self))
		return NULL;
	TABLE_CALL(self, ret = skv_table_info(self->t, &in));
	table_leave(self);
	if (ret)
		return skv_raise(ret, NULL, self->name);
	in.name[SKV_NAME_MAX - 1] = 0;
	r = PyStructSequence_New(&skv_InfoType);
	if (!r)
		return NULL;
	PyStructSequence_SET_ITEM(r, 0, PyUnicode_DecodeASCII(in.name, strlen(in.name), "replace"));
	PyStructSequence_SET_ITEM(r, 1, PyLong_FromUnsignedLongLong(in.attr.max_entries));
	PyStructSequence_SET_ITEM(r, 2, PyLong_FromUnsignedLongLong(in.attr.max_bytes));
	PyStructSequence_SET_ITEM(r, 3, PyLong_FromUnsignedLong(in.attr.max_key_len));
	PyStructSequence_SET_ITEM(r, 4, PyLong_FromUnsignedLong(in.attr.max_value_len));
	PyStructSequence_SET_ITEM(r, 5, skv_ttl_obj(in.attr.default_ttl_ms));
	PyStructSequence_SET_ITEM(r, 6, skv_policy_obj(in.attr.policy));
	PyStructSequence_SET_ITEM(r, 7, PyLong_FromUnsignedLong(in.attr.mode));
	PyStructSequence_SET_ITEM(r, 8, PyLong_FromUnsignedLong(in.uid));
	PyStructSequence_SET_ITEM(r, 9, PyLong_FromUnsignedLong(in.gid));
	PyStructSequence_SET_ITEM(r, 10, PyBool_FromLong(in.fd_flags & SKV_OPEN_RDONLY));
	for (i = 0; i < 11; i++) {
		if (!PyStructSequence_GET_ITEM(r, i)) {
			Py_DECREF(r);
			return NULL;
		}
	}
	return r;
}

PyDoc_STRVAR(table_set_doc,
"set(*, ttl, policy, mode, uid, gid)\n\n"
"Change the attributes given (the owner only, else PermissionError):\n"
"ttl     the default time to live, seconds; 0 or None for none\n"
"policy  'none' or 'lru'\n"
"mode    permission bits 0..0o777\n"
"uid     owner (needs CAP_CHOWN)\n"
"gid     group (one of the caller's, or CAP_CHOWN)");

static PyObject *table_set(TableObject *self, PyObject *const *args,
			   Py_ssize_t nargs, PyObject *kwnames)
{
	static const char *const names[] = { "ttl", "policy", "mode", "uid", "gid" };
	struct skv_set set = { .size = sizeof(set) };
	PyObject *a[5];
	int ret;

	if (skv_parse("set", args, nargs, kwnames, names, 5, 0, 0, a))
		return NULL;
	if (a[0]) {
		uint64_t ms = 0;

		if (a[0] != Py_None && skv_ttl_get(a[0], &ms, 1))
			return NULL;
		set.default_ttl_ms = ms;
		set.mask |= SKV_SET_DEFAULT_TTL;
	}
	if (a[1]) {
		if (skv_policy_get(a[1], &set.policy))
			return NULL;
		set.mask |= SKV_SET_POLICY;
	}
	if (a[2]) {
		if (skv_u32_get(a[2], &set.mode, "mode"))
			return NULL;
		if (set.mode > 0777) {
			PyErr_Format(PyExc_ValueError, "mode must be 0 to 0o777, not %R", a[2]);
			return NULL;
		}
		set.mask |= SKV_SET_MODE;
	}
	if (a[3]) {
		if (skv_u32_get(a[3], &set.uid, "uid"))
			return NULL;
		set.mask |= SKV_SET_UID;
	}
	if (a[4]) {
		if (skv_u32_get(a[4], &set.gid, "gid"))
			return NULL;
		set.mask |= SKV_SET_GID;
	}
	if (!set.mask) {
		PyErr_SetString(PyExc_TypeError,
				"set() needs at least one of ttl, policy, mode, uid, gid");
		return NULL;
	}
	if (table_enter(self))
		return NULL;
	TABLE_CALL(self, ret = skv_table_set(self->t, &set));
	table_leave(self);
	if (ret)
		return skv_raise(ret, NULL, self->name);
	Py_RETURN_NONE;
}

PyDoc_STRVAR(table_close_doc,
"close()\n--\n\n"
"Close the table's fd. Calls still running in other threads finish first.\n"
"Closing twice is allowed; any other call on a closed table is ValueError.");

static PyObject *table_close(TableObject *self, PyObject *unused)
{
	if (!self->closed) {
		self->closed = 1;
		if (!self->busy || self->busy_gen != skv_fork_gen)
			table_really_close(self);
	}
	Py_RETURN_NONE;
}

static PyObject *table_enter_ctx(TableObject *self, PyObject *unused)
{
	if (self->closed) {
		PyErr_SetString(PyExc_ValueError, "operation on a closed skv table");
		return NULL;
	}
	return Py_NewRef(self);
}

static PyObject *table_exit_ctx(TableObject *self, PyObject *args)
{
	return table_close(self, NULL);
}

PyDoc_STRVAR(table_fileno_doc,
"fileno()\n--\n\nThe table's file descriptor (it can be passed over a unix socket).");

static PyObject *table_fileno(TableObject *self, PyObject *unused)
{
	if (self->closed || !self->t) {
		PyErr_SetString(PyExc_ValueError, "operation on a closed skv table");
		return NULL;
	}
	return PyLong_FromLong(skv_table_fd(self->t));
}

static PyObject *table_get_name(TableObject *self, void *closure)
{
	return PyUnicode_DecodeASCII(self->name, strlen(self->name), "replace");
}

static PyObject *table_get_closed(TableObject *self, void *closure)
{
	return PyBool_FromLong(self->closed);
}

static PyObject *table_get_readonly(TableObject *self, void *closure)
{
	return PyBool_FromLong(self->readonly);
}

static PyObject *table_get_created(TableObject *self, void *closure)
{
	return PyBool_FromLong(self->t && skv_table_created(self->t));
}

static PyObject *table_repr(TableObject *self)
{
	return PyUnicode_FromFormat("<skv.Table %s%s%s>", self->name,
				    self->readonly ? " readonly" : "",
				    self->closed ? " closed" : "");
}

/* Scan --------------------------------------------------------------------- */

typedef struct {
	PyObject_HEAD
	TableObject *table;
	struct skv_scan_iter *it;
	int values;
	int busy;
	unsigned int busy_gen;
} ScanObject;

static PyTypeObject skv_ScanType;

static int skv_claim(int *busy, unsigned int *gen, const char *what)
{
	if (*busy && *gen == skv_fork_gen) {
		PyErr_Format(PyExc_RuntimeError,
			     "this %s is in use by another thread", what);
		return -1;
	}
	*busy = 1;
	*gen = skv_fork_gen;
	return 0;
}

PyDoc_STRVAR(table_scan_doc,
"scan(prefix=b'', values=False, *, count=0)\n--\n\n"
"Iterate over the keys (bytes) starting with prefix, or over (key, value)\n"
"pairs with values=True. The table may change meanwhile: every key present\n"
"for the whole scan comes at least once (one may come twice). count is a\n"
"hint of how many keys each system call returns (0: the kernel's default).");

static PyObject *table_scan(TableObject *self, PyObject *const *args,
			    Py_ssize_t nargs, PyObject *kwnames)
{
	static const char *const names[] = { "prefix", "values", "count" };
	struct skv_bytes p = { .p = NULL, .len = 0, .has_view = 0 };
	ScanObject *s;
	uint32_t count = 0;
	PyObject *a[3];
	int values, ret;

	if (skv_parse("scan", args, nargs, kwnames, names, 3, 2, 0, a))
		return NULL;
	if (skv_bool_get(a[1], &values))
		return NULL;
	if (a[2] && skv_u32_get(a[2], &count, "count"))
		return NULL;
	if (a[0] && skv_bytes_get(a[0], &p, "prefix"))
		return NULL;
	if (p.len > SKV_KEY_LEN_CAP) {
		skv_bytes_release(&p);
		PyErr_Format(PyExc_ValueError, "prefix must be at most %d bytes long",
			     SKV_KEY_LEN_CAP);
		return NULL;
	}
	if (self->closed || !self->t) {
		skv_bytes_release(&p);
		PyErr_SetString(PyExc_ValueError, "operation on a closed skv table");
		return NULL;
	}
	s = PyObject_GC_New(ScanObject, &skv_ScanType);
	if (!s) {
		skv_bytes_release(&p);
		return NULL;
	}
	s->table = (TableObject *)Py_NewRef(self);
	s->it = NULL;
	s->values = values;
	s->busy = 0;
	s->busy_gen = skv_fork_gen;
	/* only memory: no system call until the first next() */
	ret = skv_scan_begin(self->t, p.len ? p.p : NULL, p.len,
			     values ? SKV_SCAN_VALUES : 0, count, &s->it);
	skv_bytes_release(&p);
	PyObject_GC_Track(s);
	if (ret) {
		Py_DECREF(s);
		return skv_raise(ret, NULL, "scan");
	}
	return (PyObject *)s;
}

static PyObject *scan_next(ScanObject *s)
{
	struct skv_scan_item item;
	PyObject *k, *v, *r;
	int ret;

	if (!s->it)
		return NULL;
	if (skv_claim(&s->busy, &s->busy_gen, "scan iterator"))
		return NULL;
	if (table_enter(s->table)) {
		s->busy = 0;
		return NULL;
	}
	Py_BEGIN_ALLOW_THREADS
	ret = skv_scan_next(s->it, &item);
	Py_END_ALLOW_THREADS
	r = NULL;
	if (!ret) {
		k = PyBytes_FromStringAndSize(item.key, item.key_len);
		if (k && s->values) {
			v = PyBytes_FromStringAndSize(item.value, item.value_len);
			r = v ? PyTuple_Pack(2, k, v) : NULL;
			Py_XDECREF(v);
			Py_DECREF(k);
		} else {
			r = k;
		}
	}
	table_leave(s->table);
	s->busy = 0;
	if (ret == -ENOENT) {
		skv_scan_end(s->it);
		s->it = NULL;
		return NULL;
	}
	if (ret)
		return skv_raise(ret, NULL, "scan");
	return r;
}

static void scan_dealloc(ScanObject *s)
{
	PyObject_GC_UnTrack(s);
	skv_scan_end(s->it);
	Py_XDECREF(s->table);
	PyObject_GC_Del(s);
}

static int scan_traverse(ScanObject *s, visitproc visit, void *arg)
{
	Py_VISIT(s->table);
	return 0;
}

static PyObject *table_iter(TableObject *self)
{
	return table_scan(self, NULL, 0, NULL);
}

/* Batch -------------------------------------------------------------------- */

struct skv_bop {
	uint32_t op;		/* SKV_OP_* */
	PyObject *key;		/* bytes */
	PyObject *orig_key;	/* as the caller gave it, for KeyError */
	PyObject *value;	/* bytes, PUT */
	struct skv_put_opts opts;
	uint32_t del_flags;
	int64_t delta;
};

typedef struct {
	PyObject_HEAD
	TableObject *table;
	struct skv_bop *ops;
	Py_ssize_t count, cap;
	PyObject *results;
	int busy;
	unsigned int busy_gen;
} BatchObject;

static PyTypeObject skv_BatchType;

static void batch_clear_ops(BatchObject *b)
{
	Py_ssize_t i;

	for (i = 0; i < b->count; i++) {
		Py_XDECREF(b->ops[i].key);
		Py_XDECREF(b->ops[i].orig_key);
		Py_XDECREF(b->ops[i].value);
	}
	b->count = 0;
}

PyDoc_STRVAR(table_batch_doc,
"batch()\n--\n\n"
"Return an skv.Batch: queue ops on it, then submit them in one system call\n"
"per 1024 ops. As a context manager it submits on a normal exit (and\n"
"drops the ops if the block raised):\n\n"
"    with t.batch() as b:\n"
"        b.put('a', '1'); b.incr('hits'); b.get('a')\n"
"    b.results   # [version, 1, b'1']");

static PyObject *table_batch(TableObject *self, PyObject *unused)
{
	BatchObject *b;

	if (self->closed || !self->t) {
		PyErr_SetString(PyExc_ValueError, "operation on a closed skv table");
		return NULL;
	}
	b = PyObject_GC_New(BatchObject, &skv_BatchType);
	if (!b)
		return NULL;
	b->table = (TableObject *)Py_NewRef(self);
	b->ops = NULL;
	b->count = b->cap = 0;
	b->results = Py_NewRef(Py_None);
	b->busy = 0;
	b->busy_gen = skv_fork_gen;
	PyObject_GC_Track(b);
	return (PyObject *)b;
}

static PyObject *skv_as_bytes(PyObject *o, int is_key)
{
	struct skv_bytes b;
	PyObject *r;

	if (PyBytes_CheckExact(o)) {
		if (is_key && (!PyBytes_GET_SIZE(o) || PyBytes_GET_SIZE(o) > SKV_KEY_LEN_CAP))
			goto check;
		if (!is_key && PyBytes_GET_SIZE(o) > (Py_ssize_t)SKV_VALUE_LEN_CAP)
			goto check;
		return Py_NewRef(o);
	}
check:
	if (is_key ? skv_key_get(o, &b) : skv_value_get(o, &b))
		return NULL;
	r = PyBytes_FromStringAndSize(b.p, b.len);
	skv_bytes_release(&b);
	return r;
}

static struct skv_bop *batch_add(BatchObject *b, uint32_t op, PyObject *key)
{
	struct skv_bop *o;

	if (b->busy && b->busy_gen == skv_fork_gen) {
		PyErr_SetString(PyExc_RuntimeError, "this batch is being submitted");
		return NULL;
	}
	if (b->count == b->cap) {
		Py_ssize_t cap = b->cap ? 2 * b->cap : 16;
		struct skv_bop *ops;

		if (cap > (1 << 24)) {
			PyErr_SetString(PyExc_OverflowError, "too many ops in one batch");
			return NULL;
		}
		ops = PyMem_Realloc(b->ops, cap * sizeof(*ops));
		if (!ops) {
			PyErr_NoMemory();
			return NULL;
		}
		b->ops = ops;
		b->cap = cap;
	}
	o = &b->ops[b->count];
	memset(o, 0, sizeof(*o));
	o->key = skv_as_bytes(key, 1);
	if (!o->key)
		return NULL;
	o->orig_key = Py_NewRef(key);
	o->op = op;
	b->count++;
	return o;
}

static PyObject *batch_index(BatchObject *b)
{
	return PyLong_FromSsize_t(b->count - 1);
}

PyDoc_STRVAR(batch_get_doc,
"get(key)\n--\n\nQueue a GET; its result is the value (bytes) or None. Returns the op's index.");

static PyObject *batch_get(BatchObject *b, PyObject *key)
{
	return batch_add(b, SKV_OP_GET, key) ? batch_index(b) : NULL;
}

PyDoc_STRVAR(batch_getdel_doc,
"getdel(key)\n--\n\nQueue a GETDEL; its result is the value (bytes) or None.");

static PyObject *batch_getdel(BatchObject *b, PyObject *key)
{
	return batch_add(b, SKV_OP_GETDEL, key) ? batch_index(b) : NULL;
}

PyDoc_STRVAR(batch_put_doc,
"put(key, value, *, ttl=None, nx=False, xx=False, cas=None, flags=0)\n--\n\n"
"Queue a PUT (see Table.put); its result is the new version.");

static PyObject *batch_put(BatchObject *b, PyObject *const *args,
			   Py_ssize_t nargs, PyObject *kwnames)
{
	static const char *const names[] = { "key", "value", "ttl", "nx", "xx",
					     "cas", "flags" };
	struct skv_put_opts opts;
	struct skv_bop *o;
	PyObject *a[7], *v;

	if (skv_parse("put", args, nargs, kwnames, names, 7, 2, 2, a))
		return NULL;
	if (table_put_args(a[2], a[3], a[4], a[5], a[6], &opts))
		return NULL;
	v = skv_as_bytes(a[1], 0);
	if (!v)
		return NULL;
	o = batch_add(b, SKV_OP_PUT, a[0]);
	if (!o) {
		Py_DECREF(v);
		return NULL;
	}
	o->value = v;
	o->opts = opts;
	return batch_index(b);
}

PyDoc_STRVAR(batch_delete_doc,
"delete(key, *, cas=None)\n--\n\n"
"Queue a DELETE; its result is the deleted version, or a KeyError.");

static PyObject *batch_delete(BatchObject *b, PyObject *const *args,
			      Py_ssize_t nargs, PyObject *kwnames)
{
	static const char *const names[] = { "key", "cas" };
	struct skv_bop *o;
	uint64_t cas = 0;
	PyObject *a[2];

	if (skv_parse("delete", args, nargs, kwnames, names, 2, 1, 1, a))
		return NULL;
	if (a[1] && a[1] != Py_None && skv_u64_get(a[1], &cas, "cas"))
		return NULL;
	o = batch_add(b, SKV_OP_DELETE, a[0]);
	if (!o)
		return NULL;
	if (a[1] && a[1] != Py_None) {
		o->del_flags = SKV_DEL_CAS;
		o->opts.cas_version = cas;
	}
	return batch_index(b);
}

PyDoc_STRVAR(batch_incr_doc,
"incr(key, delta=1)\n--\n\nQueue an INCR; its result is the new value.");

static PyObject *batch_incr(BatchObject *b, PyObject *const *args,
			    Py_ssize_t nargs, PyObject *kwnames)
{
	static const char *const names[] = { "key", "delta" };
	struct skv_bop *o;
	int64_t delta = 1;
	PyObject *a[2];

	if (skv_parse("incr", args, nargs, kwnames, names, 2, 2, 1, a))
		return NULL;
	if (a[1] && skv_i64_get(a[1], &delta, "delta"))
		return NULL;
	o = batch_add(b, SKV_OP_INCR, a[0]);
	if (!o)
		return NULL;
	o->delta = delta;
	return batch_index(b);
}

/* The exception of a failed op, as an object (not raised). */
static PyObject *skv_exc_obj(int err, PyObject *key, const char *context)
{
	PyObject *type, *value, *tb;

	skv_raise(err, key, context);
	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	Py_XDECREF(type);
	Py_XDECREF(tb);
	return value;
}

static const char *skv_op_name(uint32_t op)
{
	switch (op) {
	case SKV_OP_GET: return "get";
	case SKV_OP_GETDEL: return "getdel";
	case SKV_OP_PUT: return "put";
	case SKV_OP_DELETE: return "delete";
	default: return "incr";
	}
}

PyDoc_STRVAR(batch_submit_doc,
"submit()\n--\n\n"
"Run the queued ops, in order, and return their results (also in\n"
".results). The batch is not atomic and a failed op does not stop the\n"
"others: its result is the exception it would have raised (KeyError,\n"
"skv.StaleError, ...), not raised. The batch is empty again afterwards.");

static PyObject *batch_submit(BatchObject *b, PyObject *unused)
{
	struct skv_op_batch *sb = NULL;
	PyObject *results = NULL;
	Py_ssize_t i, ngets = 0;
	char *bufs = NULL, *p;
	int ret;

	if (skv_claim(&b->busy, &b->busy_gen, "batch"))
		return NULL;
	if (!b->count) {
		b->busy = 0;
		Py_SETREF(b->results, PyList_New(0));
		return b->results ? Py_NewRef(b->results) : NULL;
	}
	for (i = 0; i < b->count; i++)
		if (b->ops[i].op == SKV_OP_GET || b->ops[i].op == SKV_OP_GETDEL)
			ngets++;
	if (ngets) {
		bufs = PyMem_RawMalloc(ngets * SKV_PY_BATCH_GETBUF);
		if (!bufs) {
			PyErr_NoMemory();
			goto out;
		}
	}
	ret = skv_batch_new(b->count, &sb);
	if (ret) {
		skv_raise(ret, NULL, "batch");
		goto out;
	}
	for (i = 0, p = bufs; i < b->count; i++) {
		struct skv_bop *o = &b->ops[i];
		const char *k = PyBytes_AS_STRING(o->key);
		size_t klen = PyBytes_GET_SIZE(o->key);

		switch (o->op) {
		case SKV_OP_GET:
			ret = skv_batch_add_get(sb, k, klen, p, SKV_PY_BATCH_GETBUF);
			p += SKV_PY_BATCH_GETBUF;
			break;
		case SKV_OP_GETDEL:
			ret = skv_batch_add_getdel(sb, k, klen, p, SKV_PY_BATCH_GETBUF);
			p += SKV_PY_BATCH_GETBUF;
			break;
		case SKV_OP_PUT:
			ret = skv_batch_add_put(sb, k, klen, PyBytes_AS_STRING(o->value),
						PyBytes_GET_SIZE(o->value), &o->opts);
			break;
		case SKV_OP_DELETE:
			ret = skv_batch_add_delete(sb, k, klen, o->del_flags,
						   o->opts.cas_version);
			break;
		default:
			ret = skv_batch_add_incr(sb, k, klen, o->delta);
			break;
		}
		if (ret) {
			skv_raise(ret, o->orig_key, "batch");
			goto out;
		}
	}
	if (table_enter(b->table))
		goto out;
	Py_BEGIN_ALLOW_THREADS
	ret = skv_batch_submit(b->table->t, sb);
	Py_END_ALLOW_THREADS
	table_leave(b->table);
	if (ret) {
		skv_raise(ret, NULL, "batch");
		goto out;
	}
	results = PyList_New(b->count);
	if (!results)
		goto out;
	for (i = 0, p = bufs; i < b->count; i++) {
		struct skv_bop *o = &b->ops[i];
		struct skv_batch_res res;
		PyObject *r = NULL;
		int is_get = o->op == SKV_OP_GET || o->op == SKV_OP_GETDEL;

		skv_batch_result(sb, i, &res);
		if (is_get && res.status == -ERANGE) {
			/* longer than the batch's buffer: fetch it alone */
			struct skv_bytes kb = { .p = PyBytes_AS_STRING(o->key),
						.len = PyBytes_GET_SIZE(o->key) };
			struct skv_meta meta;
			int err;

			r = table_fetch(b->table, o->op == SKV_OP_GETDEL, &kb, &meta, &err);
			if (!r && err == -ENOENT)
				r = Py_NewRef(Py_None);
			else if (!r && err)
				r = skv_exc_obj(err, o->orig_key, skv_op_name(o->op));
		} else if (is_get && res.status == -ENOENT) {
			r = Py_NewRef(Py_None);
		} else if (res.status) {
			r = skv_exc_obj(res.status, o->orig_key, skv_op_name(o->op));
		} else if (is_get) {
			r = PyBytes_FromStringAndSize(p, res.value_len);
		} else if (o->op == SKV_OP_INCR) {
			r = PyLong_FromLongLong(res.value);
		} else {
			r = PyLong_FromUnsignedLongLong(res.version);
		}
		if (is_get)
			p += SKV_PY_BATCH_GETBUF;
		if (!r) {
			Py_CLEAR(results);
			goto out;
		}
		PyList_SET_ITEM(results, i, r);
	}
	batch_clear_ops(b);
	Py_SETREF(b->results, Py_NewRef(results));
out:
	skv_batch_free(sb);
	PyMem_RawFree(bufs);
	b->busy = 0;
	return results;
}

static PyObject *batch_enter(BatchObject *b, PyObject *unused)
{
	return Py_NewRef(b);
}

static PyObject *batch_exit(BatchObject *b, PyObject *args)
{
	PyObject *exc_type = PyTuple_GET_SIZE(args) ? PyTuple_GET_ITEM(args, 0) : Py_None;
	PyObject *r;

	if (exc_type != Py_None) {
		if (b->busy && b->busy_gen == skv_fork_gen) {
			PyErr_SetString(PyExc_RuntimeError, "this batch is being submitted");
			return NULL;
		}
		batch_clear_ops(b);
		Py_RETURN_FALSE;
	}
	r = batch_submit(b, NULL);
	if (!r)
		return NULL;
	Py_DECREF(r);
	Py_RETURN_FALSE;
}

static Py_ssize_t batch_len(BatchObject *b)
{
	return b->count;
}

static void batch_dealloc(BatchObject *b)
{
	PyObject_GC_UnTrack(b);
	batch_clear_ops(b);
	PyMem_Free(b->ops);
	Py_XDECREF(b->results);
	Py_XDECREF(b->table);
	PyObject_GC_Del(b);
}

static int batch_traverse(BatchObject *b, visitproc visit, void *arg)
{
	Py_ssize_t i;

	Py_VISIT(b->table);
	Py_VISIT(b->results);
	for (i = 0; i < b->count; i++)
		Py_VISIT(b->ops[i].orig_key);
	return 0;
}

/* Watch -------------------------------------------------------------------- */

typedef struct {
	PyObject_HEAD
	struct skv_events *ev;
	int fd;
	int busy;
	unsigned int busy_gen;
	unsigned int gen;	/* skv_fork_gen at open: the owning process */
	size_t value_max;	/* values=True: SKV_NL_VALUE_MAX, else 0 */
} WatchObject;

static PyTypeObject skv_WatchType;

static int watch_check(WatchObject *w)
{
	if (!w->ev) {
		PyErr_SetString(PyExc_ValueError, "operation on a closed skv watch");
		return -1;
	}
	if (w->gen != skv_fork_gen) {
		PyErr_SetString(PyExc_RuntimeError,
				"an skv watch belongs to the process that opened it; "
				"open a new one after fork()");
		return -1;
	}
	return skv_claim(&w->busy, &w->busy_gen, "watch");
}

static int watch_sub(WatchObject *w, PyObject *name_o, int subscribe)
{
	char name[SKV_NAME_MAX];
	int ret;

	if (skv_name_get(name_o, name))
		return -1;
	if (watch_check(w))
		return -1;
	Py_BEGIN_ALLOW_THREADS
	ret = subscribe ? skv_events_subscribe_values(w->ev, name, w->value_max) :
			  skv_events_unsubscribe(w->ev, name);
	Py_END_ALLOW_THREADS
	w->busy = 0;
	if (ret) {
		skv_raise(ret, NULL, name);
		return -1;
	}
	return 0;
}

static PyObject *watch_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
	static char *kwlist[] = { "values", NULL };
	PyObject *empty;
	WatchObject *w;
	int ret, values = 0;
	Py_ssize_t i;

	empty = PyTuple_New(0);
	if (!empty)
		return NULL;
	ret = PyArg_ParseTupleAndKeywords(empty, kwds, "|$p:Watch", kwlist,
					  &values);
	Py_DECREF(empty);
	if (!ret)
		return NULL;
	w = (WatchObject *)type->tp_alloc(type, 0);
	if (!w)
		return NULL;
	w->gen = w->busy_gen = skv_fork_gen;
	w->value_max = values ? SKV_NL_VALUE_MAX : 0;
	Py_BEGIN_ALLOW_THREADS
	ret = skv_events_open(&w->ev);
	Py_END_ALLOW_THREADS
	if (ret) {
		w->ev = NULL;
		Py_DECREF(w);
		return skv_raise(ret, NULL, "skv netlink family");
	}
	w->fd = skv_events_fd(w->ev);
	for (i = 0; i < PyTuple_GET_SIZE(args); i++) {
		if (watch_sub(w, PyTuple_GET_ITEM(args, i), 1)) {
			Py_DECREF(w);
			return NULL;
		}
	}
	return (PyObject *)w;
}

static void watch_dealloc(WatchObject *w)
{
	struct skv_events *ev = w->ev;

	w->ev = NULL;
	if (ev) {
		Py_BEGIN_ALLOW_THREADS
		skv_events_close(ev);
		Py_END_ALLOW_THREADS
	}
	Py_TYPE(w)->tp_free((PyObject *)w);
}

static const char *const skv_event_names[] = {
	[SKV_EVENT_TYPE_SET] = "set",
	[SKV_EVENT_TYPE_DELETE] = "delete",
	[SKV_EVENT_TYPE_EXPIRED] = "expired",
	[SKV_EVENT_TYPE_EVICTED] = "evicted",
	[SKV_EVENT_TYPE_FLUSHED] = "flushed",
	[SKV_EVENT_TYPE_TABLE_DELETED] = "table_deleted",
};

static PyObject *skv_event_obj(WatchObject *w, const struct skv_event *e)
{
	PyObject *r = PyStructSequence_New(&skv_EventType);
	size_t ntypes = sizeof(skv_event_names) / sizeof(skv_event_names[0]);
	const void *value;
	uint64_t ttl_ms;
	size_t len;
	int i;

	if (!r)
		return NULL;
	if (e->type < ntypes && skv_event_names[e->type])
		PyStructSequence_SET_ITEM(r, 0, PyUnicode_FromString(skv_event_names[e->type]));
	else
		PyStructSequence_SET_ITEM(r, 0, PyLong_FromUnsignedLong(e->type));
	PyStructSequence_SET_ITEM(r, 1, PyUnicode_DecodeASCII(e->table,
			strnlen(e->table, SKV_NAME_MAX), "replace"));
	if (e->key_len)
		PyStructSequence_SET_ITEM(r, 2, PyBytes_FromStringAndSize(e->key, e->key_len));
	else
		PyStructSequence_SET_ITEM(r, 2, Py_NewRef(Py_None));
	PyStructSequence_SET_ITEM(r, 3, PyLong_FromUnsignedLongLong(e->version));
	PyStructSequence_SET_ITEM(r, 4, PyLong_FromUnsignedLongLong(e->seq));
	PyStructSequence_SET_ITEM(r, 5, PyLong_FromUnsignedLongLong(e->lost));
	PyStructSequence_SET_ITEM(r, 6, PyLong_FromUnsignedLongLong(e->missed));
	if (!skv_events_value(w->ev, &value, &len, &ttl_ms)) {
		PyStructSequence_SET_ITEM(r, 7, PyBytes_FromStringAndSize(value, len));
		PyStructSequence_SET_ITEM(r, 8, ttl_ms ? PyFloat_FromDouble(ttl_ms / 1000.0) :
						   Py_NewRef(Py_None));
	} else {
		PyStructSequence_SET_ITEM(r, 7, Py_NewRef(Py_None));
		PyStructSequence_SET_ITEM(r, 8, Py_NewRef(Py_None));
	}
	for (i = 0; i < 9; i++) {
		if (!PyStructSequence_GET_ITEM(r, i)) {
			Py_DECREF(r);
			return NULL;
		}
	}
	return r;
}

static double skv_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The next event, waiting up to @timeout seconds (< 0: forever). Returns
 * None on timeout. Runs with w claimed.
 */
static PyObject *watch_next_event(WatchObject *w, double timeout)
{
	double deadline = timeout >= 0 ? skv_now() + timeout : 0;
	struct pollfd pfd = { .fd = w->fd, .events = POLLIN };
	struct skv_event e;
	int ret, ms;

	for (;;) {
		Py_BEGIN_ALLOW_THREADS
		ret = skv_events_next(w->ev, &e);
		Py_END_ALLOW_THREADS
		if (!ret)
			return skv_event_obj(w, &e);
		if (ret != -EAGAIN)
			return skv_raise(ret, NULL, "watch");
		if (timeout == 0)
			Py_RETURN_NONE;
		if (timeout > 0) {
			double left = deadline - skv_now();

			if (left <= 0)
				Py_RETURN_NONE;
			ms = left * 1000 > 3600000 ? 3600000 : (int)ceil(left * 1000);
		} else {
			ms = -1;
		}
		Py_BEGIN_ALLOW_THREADS
		ret = poll(&pfd, 1, ms);
		if (ret < 0)
			ret = -errno;
		Py_END_ALLOW_THREADS
		if (ret == -EINTR) {
			if (PyErr_CheckSignals())
				return NULL;
		} else if (ret < 0) {
			return skv_raise(ret, NULL, "watch");
		}
	}
}

PyDoc_STRVAR(watch_next_doc,
"next(timeout=None)\n--\n\n"
"Return the next skv.Event, waiting up to timeout seconds (None: for ever,\n"
"0: not at all); None if none came in time.");

static PyObject *watch_next(WatchObject *w, PyObject *const *args,
			    Py_ssize_t nargs, PyObject *kwnames)
{
	static const char *const names[] = { "timeout" };
	double timeout = -1;
	PyObject *a[1], *r;

	if (skv_parse("next", args, nargs, kwnames, names, 1, 1, 0, a))
		return NULL;
	if (a[0] && a[0] != Py_None) {
		if (PyBool_Check(a[0]) || !(PyFloat_Check(a[0]) || PyLong_Check(a[0]))) {
			PyErr_SetString(PyExc_TypeError, "timeout must be a number or None");
			return NULL;
		}
		timeout = PyFloat_AsDouble(a[0]);
		if (timeout == -1 && PyErr_Occurred())
			return NULL;
		if (isnan(timeout) || timeout < 0) {
			PyErr_SetString(PyExc_ValueError, "timeout must be zero or positive");
			return NULL;
		}
	}
	if (watch_check(w))
		return NULL;
	r = watch_next_event(w, timeout);
	w->busy = 0;
	return r;
}

static PyObject *watch_iternext(WatchObject *w)
{
	PyObject *r;

	if (watch_check(w))
		return NULL;
	r = watch_next_event(w, -1);
	w->busy = 0;
	return r;
}

PyDoc_STRVAR(watch_read_doc,
"read()\n--\n\n"
"Return the events that are waiting, as a list, without blocking: what a\n"
"selectors or asyncio reader callback calls when fileno() is readable.");

static PyObject *watch_read(WatchObject *w, PyObject *unused)
{
	PyObject *list, *e;

	if (watch_check(w))
		return NULL;
	list = PyList_New(0);
	while (list) {
		e = watch_next_event(w, 0);
		if (e == Py_None) {
			Py_DECREF(e);
			break;
		}
		if (!e || PyList_Append(list, e))
			Py_CLEAR(list);
		Py_XDECREF(e);
	}
	w->busy = 0;
	return list;
}

PyDoc_STRVAR(watch_subscribe_doc,
"subscribe(name)\n--\n\nAlso watch table name (read permission needed).");

static PyObject *watch_subscribe(WatchObject *w, PyObject *name)
{
	if (watch_sub(w, name, 1))
		return NULL;
	Py_RETURN_NONE;
}

PyDoc_STRVAR(watch_unsubscribe_doc,
"unsubscribe(name)\n--\n\nStop watching table name.");

static PyObject *watch_unsubscribe(WatchObject *w, PyObject *name)
{
	if (watch_sub(w, name, 0))
		return NULL;
	Py_RETURN_NONE;
}

PyDoc_STRVAR(watch_fileno_doc,
"fileno()\n--\n\n"
"The netlink socket: readable when events may be waiting. For selectors\n"
"and asyncio's loop.add_reader(); then call read().");

static PyObject *watch_fileno(WatchObject *w, PyObject *unused)
{
	if (!w->ev) {
		PyErr_SetString(PyExc_ValueError, "operation on a closed skv watch");
		return NULL;
	}
	return PyLong_FromLong(w->fd);
}

PyDoc_STRVAR(watch_close_doc, "close()\n--\n\nEnd every subscription and close the socket.");

static PyObject *watch_close(WatchObject *w, PyObject *unused)
{
	struct skv_events *ev = w->ev;

	if (w->busy && w->busy_gen == skv_fork_gen) {
		PyErr_SetString(PyExc_RuntimeError, "this watch is in use by another thread");
		return NULL;
	}
	w->ev = NULL;
	if (ev) {
		Py_BEGIN_ALLOW_THREADS
		skv_events_close(ev);
		Py_END_ALLOW_THREADS
	}
	Py_RETURN_NONE;
}

static PyObject *watch_enter(WatchObject *w, PyObject *unused)
{
	return Py_NewRef(w);
}

static PyObject *watch_exit(WatchObject *w, PyObject *args)
{
	return watch_close(w, NULL);
}

PyDoc_STRVAR(table_watch_doc,
"watch(*, values=False)\n--\n\n"
"Return an skv.Watch subscribed to this table's changes: iterate over it\n"
"(blocking), call next(timeout) or, with selectors/asyncio, read() when\n"
"fileno() is readable. Each skv.Event carries seq, lost and missed, so a\n"
"gap (missed > 0) is never silent. values=True: set events also carry\n"
"the new value and its ttl (values up to 65531 bytes).");

static PyObject *table_watch(TableObject *self, PyObject *args, PyObject *kwds)
{
	PyObject *name, *targs, *w;

	if (PyTuple_GET_SIZE(args)) {
		PyErr_SetString(PyExc_TypeError, "watch() takes keyword arguments only");
		return NULL;
	}
	name = table_get_name(self, NULL);
	if (!name)
		return NULL;
	targs = PyTuple_Pack(1, name);
	Py_DECREF(name);
	if (!targs)
		return NULL;
	w = PyObject_Call((PyObject *)&skv_WatchType, targs, kwds);
	Py_DECREF(targs);
	return w;
}

/* Module functions --------------------------------------------------------- */

PyDoc_STRVAR(skv_delete_table_doc,
"delete_table(name)\n--\n\n"
"Remove table name from this network namespace (owner or CAP_SYS_ADMIN).\n"
"Open handles keep working until closed. FileNotFoundError if absent.");

static PyObject *skv_delete_table(PyObject *mod, PyObject *name_o)
{
	char name[SKV_NAME_MAX];
	struct skv_dev *dev;
	int ret;

	if (skv_name_get(name_o, name))
		return NULL;
	Py_BEGIN_ALLOW_THREADS
	ret = skv_dev_open(NULL, &dev);
	if (!ret) {
		ret = skv_table_delete(dev, name);
		skv_dev_close(dev);
	}
	Py_END_ALLOW_THREADS
	if (ret)
		return skv_raise(ret, NULL, name);
	Py_RETURN_NONE;
}

PyDoc_STRVAR(skv_tables_doc,
"tables()\n--\n\nThe names of the tables of this network namespace the caller may read.");

static PyObject *skv_tables(PyObject *mod, PyObject *unused)
{
	struct skv_table_list_item *items;
	PyObject *list;
	size_t n, i;
	int ret;

	Py_BEGIN_ALLOW_THREADS
	ret = skv_table_list(&items, &n);
	Py_END_ALLOW_THREADS
	if (ret)
		return skv_raise(ret, NULL, "table list");
	list = PyList_New(0);
	for (i = 0; list && i < n; i++) {
		const char *nm = items[i].info.name;
		PyObject *s = PyUnicode_DecodeASCII(nm, strnlen(nm, SKV_NAME_MAX), "replace");

		if (!s || PyList_Append(list, s))
			Py_CLEAR(list);
		Py_XDECREF(s);
	}
	skv_table_list_free(items);
	return list;
}

/* Types -------------------------------------------------------------------- */

static PyMethodDef table_methods[] = {
	{ "get", (PyCFunction)(void (*)(void))table_get, METH_FASTCALL | METH_KEYWORDS, table_get_doc },
	{ "put", (PyCFunction)(void (*)(void))table_put, METH_FASTCALL | METH_KEYWORDS, table_put_doc },
	{ "delete", (PyCFunction)(void (*)(void))table_delete, METH_FASTCALL | METH_KEYWORDS, table_delete_doc },
	{ "incr", (PyCFunction)(void (*)(void))table_incr, METH_FASTCALL | METH_KEYWORDS, table_incr_doc },
	{ "getdel", (PyCFunction)(void (*)(void))table_getdel, METH_FASTCALL | METH_KEYWORDS, table_getdel_doc },
	{ "pop", (PyCFunction)(void (*)(void))table_getdel, METH_FASTCALL | METH_KEYWORDS, table_pop_doc },
	{ "flush", (PyCFunction)table_flush, METH_NOARGS, table_flush_doc },
	{ "clear", (PyCFunction)table_clear, METH_NOARGS, table_clear_doc },
	{ "stats", (PyCFunction)table_stats, METH_NOARGS, table_stats_doc },
	{ "info", (PyCFunction)table_info, METH_NOARGS, table_info_doc },
	{ "set", (PyCFunction)(void (*)(void))table_set, METH_FASTCALL | METH_KEYWORDS, table_set_doc },
	{ "scan", (PyCFunction)(void (*)(void))table_scan, METH_FASTCALL | METH_KEYWORDS, table_scan_doc },
	{ "batch", (PyCFunction)table_batch, METH_NOARGS, table_batch_doc },
	{ "watch", (PyCFunction)(void (*)(void))table_watch,
	  METH_VARARGS | METH_KEYWORDS, table_watch_doc },
	{ "fileno", (PyCFunction)table_fileno, METH_NOARGS, table_fileno_doc },
	{ "close", (PyCFunction)table_close, METH_NOARGS, table_close_doc },
	{ "__enter__", (PyCFunction)table_enter_ctx, METH_NOARGS, "with skv.open(...) as t: closes t at the end" },
	{ "__exit__", (PyCFunction)table_exit_ctx, METH_VARARGS, "close()" },
	{ NULL }
};

static PyGetSetDef table_getset[] = {
	{ "name", (getter)table_get_name, NULL, "the table's name", NULL },
	{ "closed", (getter)table_get_closed, NULL, "True once close() was called", NULL },
	{ "readonly", (getter)table_get_readonly, NULL, "True if opened read-only", NULL },
	{ "created", (getter)table_get_created, NULL, "True if this open created the table", NULL },
	{ NULL }
};

static PyMappingMethods table_as_mapping = {
	.mp_length = (lenfunc)table_length,
	.mp_subscript = (binaryfunc)table_subscript,
	.mp_ass_subscript = (objobjargproc)table_ass_subscript,
};

static PySequenceMethods table_as_sequence = {
	.sq_contains = (objobjproc)table_contains,
};

PyDoc_STRVAR(table_doc,
"Table(name, create=False, mode=0o600, max_entries=None, ttl=None,\n"
"      policy=None, readonly=False, *, max_bytes=None, max_key_len=None,\n"
"      max_value_len=None, exclusive=False, mapped=False)\n\n"
"An open skv table: a mapping of bytes keys to bytes values that lives in\n"
"the kernel and is shared by every process that opens it. Use skv.open().\n\n"
"Keys and values are bytes (str is stored as UTF-8); what comes back is\n"
"bytes. TTLs are float seconds. t[k] raises KeyError for a missing key.");

static PyTypeObject skv_TableType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "skv._skv.Table",
	.tp_basicsize = sizeof(TableObject),
	.tp_dealloc = (destructor)table_dealloc,
	.tp_repr = (reprfunc)table_repr,
	.tp_as_mapping = &table_as_mapping,
	.tp_as_sequence = &table_as_sequence,
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
	.tp_doc = table_doc,
	.tp_traverse = (traverseproc)table_traverse,
	.tp_weaklistoffset = offsetof(TableObject, weakrefs),
	.tp_iter = (getiterfunc)table_iter,
	.tp_methods = table_methods,
	.tp_getset = table_getset,
	.tp_new = table_new,
};

static PyTypeObject skv_ScanType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "skv.Scan",
	.tp_basicsize = sizeof(ScanObject),
	.tp_dealloc = (destructor)scan_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
	.tp_doc = "An iterator over a table's keys or (key, value) pairs; see Table.scan().",
	.tp_traverse = (traverseproc)scan_traverse,
	.tp_iter = PyObject_SelfIter,
	.tp_iternext = (iternextfunc)scan_next,
};

static PyMethodDef batch_methods[] = {
	{ "get", (PyCFunction)batch_get, METH_O, batch_get_doc },
	{ "getdel", (PyCFunction)batch_getdel, METH_O, batch_getdel_doc },
	{ "put", (PyCFunction)(void (*)(void))batch_put, METH_FASTCALL | METH_KEYWORDS, batch_put_doc },
	{ "delete", (PyCFunction)(void (*)(void))batch_delete, METH_FASTCALL | METH_KEYWORDS, batch_delete_doc },
	{ "incr", (PyCFunction)(void (*)(void))batch_incr, METH_FASTCALL | METH_KEYWORDS, batch_incr_doc },
	{ "submit", (PyCFunction)batch_submit, METH_NOARGS, batch_submit_doc },
	{ "__enter__", (PyCFunction)batch_enter, METH_NOARGS, NULL },
	{ "__exit__", (PyCFunction)batch_exit, METH_VARARGS, NULL },
	{ NULL }
};

static PyMemberDef batch_members[] = {
	{ "results", T_OBJECT, offsetof(BatchObject, results), READONLY,
	  "the results of the last submit(), one per op, or None" },
	{ NULL }
};

static PySequenceMethods batch_as_sequence = {
	.sq_length = (lenfunc)batch_len,
};

static PyTypeObject skv_BatchType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "skv.Batch",
	.tp_basicsize = sizeof(BatchObject),
	.tp_dealloc = (destructor)batch_dealloc,
	.tp_as_sequence = &batch_as_sequence,
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
	.tp_doc = "Ops queued for one BATCH system call; see Table.batch().",
	.tp_traverse = (traverseproc)batch_traverse,
	.tp_methods = batch_methods,
	.tp_members = batch_members,
};

static PyMethodDef watch_methods[] = {
	{ "next", (PyCFunction)(void (*)(void))watch_next, METH_FASTCALL | METH_KEYWORDS, watch_next_doc },
	{ "read", (PyCFunction)watch_read, METH_NOARGS, watch_read_doc },
	{ "subscribe", (PyCFunction)watch_subscribe, METH_O, watch_subscribe_doc },
	{ "unsubscribe", (PyCFunction)watch_unsubscribe, METH_O, watch_unsubscribe_doc },
	{ "fileno", (PyCFunction)watch_fileno, METH_NOARGS, watch_fileno_doc },
	{ "close", (PyCFunction)watch_close, METH_NOARGS, watch_close_doc },
	{ "__enter__", (PyCFunction)watch_enter, METH_NOARGS, NULL },
	{ "__exit__", (PyCFunction)watch_exit, METH_VARARGS, NULL },
	{ NULL }
};

PyDoc_STRVAR(watch_doc,
"Watch(*names, values=False)\n--\n\n"
"Change events of the tables named, over skv's generic netlink family.\n"
"values=True: set events carry the new value and ttl as well.\n"
"Iterating blocks for each skv.Event; next(timeout) waits at most timeout;\n"
"read() returns what is waiting. fileno() works with selectors and\n"
"asyncio's loop.add_reader(). A Watch belongs to one process: after fork()\n"
"the child opens its own.");

static PyTypeObject skv_WatchType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "skv.Watch",
	.tp_basicsize = sizeof(WatchObject),
	.tp_dealloc = (destructor)watch_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = watch_doc,
	.tp_iter = PyObject_SelfIter,
	.tp_iternext = (iternextfunc)watch_iternext,
	.tp_methods = watch_methods,
	.tp_new = watch_new,
};

static PyMethodDef skv_methods[] = {
	{ "delete_table", skv_delete_table, METH_O, skv_delete_table_doc },
	{ "tables", skv_tables, METH_NOARGS, skv_tables_doc },
	{ NULL }
};

static struct PyModuleDef skv_module = {
	PyModuleDef_HEAD_INIT,
	.m_name = "skv._skv",
	.m_doc = "The C half of the skv module; import skv instead.",
	.m_size = -1,
	.m_methods = skv_methods,
};

static int skv_add_exc(PyObject *m, const char *name, const char *doc,
		       PyObject *base, PyObject **out)
{
	*out = PyErr_NewExceptionWithDoc(name, doc, base, NULL);
	if (!*out)
		return -1;
	return PyModule_AddObjectRef(m, strrchr(name, '.') + 1, *out);
}

PyMODINIT_FUNC PyInit__skv(void)
{
	static int atfork_done;
	PyObject *m;

	if (!atfork_done) {
		if (pthread_atfork(NULL, NULL, skv_atfork_child))
			return PyErr_NoMemory();
		atfork_done = 1;
	}
	if (PyType_Ready(&skv_TableType) || PyType_Ready(&skv_ScanType) ||
	    PyType_Ready(&skv_BatchType) || PyType_Ready(&skv_WatchType))
		return NULL;
	if ((!skv_EntryType.tp_name &&
	     PyStructSequence_InitType2(&skv_EntryType, &skv_entry_desc)) ||
	    (!skv_StatsType.tp_name &&
	     PyStructSequence_InitType2(&skv_StatsType, &skv_stats_desc)) ||
	    (!skv_InfoType.tp_name &&
	     PyStructSequence_InitType2(&skv_InfoType, &skv_info_desc)) ||
	    (!skv_EventType.tp_name &&
	     PyStructSequence_InitType2(&skv_EventType, &skv_event_desc)))
		return NULL;
	m = PyModule_Create(&skv_module);
	if (!m)
		return NULL;
	if (skv_add_exc(m, "skv.Error",
			"Base of skv's own errors; an OSError with .errno.",
			PyExc_OSError, &skv_Error) ||
	    skv_add_exc(m, "skv.StaleError",
			"A compare-and-swap found another version (ESTALE).",
			skv_Error, &skv_StaleError) ||
	    skv_add_exc(m, "skv.QuotaError",
			"The per-user quota of tables or bytes is used up (EDQUOT).",
			skv_Error, &skv_QuotaError) ||
	    skv_add_exc(m, "skv.FullError",
			"The table is full: max_entries (ENOSPC) or max_bytes (EFBIG).",
			skv_Error, &skv_FullError) ||
	    PyModule_AddObjectRef(m, "Table", (PyObject *)&skv_TableType) ||
	    PyModule_AddObjectRef(m, "Scan", (PyObject *)&skv_ScanType) ||
	    PyModule_AddObjectRef(m, "Batch", (PyObject *)&skv_BatchType) ||
	    PyModule_AddObjectRef(m, "Watch", (PyObject *)&skv_WatchType) ||
	    PyModule_AddObjectRef(m, "Entry", (PyObject *)&skv_EntryType) ||
	    PyModule_AddObjectRef(m, "Stats", (PyObject *)&skv_StatsType) ||
	    PyModule_AddObjectRef(m, "Info", (PyObject *)&skv_InfoType) ||
	    PyModule_AddObjectRef(m, "Event", (PyObject *)&skv_EventType) ||
	    PyModule_AddIntConstant(m, "KEY_LEN_CAP", SKV_KEY_LEN_CAP) ||
	    PyModule_AddIntConstant(m, "VALUE_LEN_CAP", SKV_VALUE_LEN_CAP) ||
	    PyModule_AddIntConstant(m, "BATCH_MAX", SKV_BATCH_MAX)) {
		Py_DECREF(m);
		return NULL;
	}
	return m;
}
