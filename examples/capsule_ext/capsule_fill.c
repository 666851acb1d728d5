/* A C extension that takes the xinit_c C API from its capsule and fills any
 * writable buffer of doubles with normal values, without the GIL.
 * Build: see setup.py here (include_dirs=[xinit_c.get_include()]). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "xinit_c.h"

static const xinit_c_api *api;

/* normal_f64(buffer, key0, key1, position, mean, std) */
static PyObject *normal_f64(PyObject *self, PyObject *args)
{
    Py_buffer view;
    unsigned int key0, key1;
    unsigned long long position;
    double mean, std;
    int status;
    (void)self;
    if (!PyArg_ParseTuple(args, "w*IIKdd", &view, &key0, &key1, &position, &mean, &std))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    status = api->normal_f64(key0, key1, 0, position, 0, (size_t)view.len / sizeof(double), (double *)view.buf, 1,
                             mean, std);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    if (status != XINIT_OK)
        return PyErr_Format(PyExc_ValueError, "xinit_c C API status %d", status);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"normal_f64", normal_f64, METH_VARARGS, "Fill a buffer of doubles with N(mean, std^2) from the stream."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "capsule_fill", NULL, -1, methods};

PyMODINIT_FUNC PyInit_capsule_fill(void)
{
    api = (const xinit_c_api *)PyCapsule_Import(XINIT_C_CAPSULE_NAME, 0);
    if (api == NULL)
        return NULL;
    if (api->abi_version != XINIT_C_ABI_VERSION) {
        PyErr_Format(PyExc_ImportError, "xinit_c C API version %u, built for %d: rebuild against it",
                     (unsigned)api->abi_version, XINIT_C_ABI_VERSION);
        return NULL;
    }
    return PyModule_Create(&module);
}
