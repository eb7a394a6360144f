{# Brian 2.10's cpp_standalone threshold template for events that hold for few neurons per step
   (Poisson pools: about 12 of 25000 sources spike per 0.1 ms step). The condition is first
   evaluated for blocks of 64 neurons and OR-ed together, a loop without stores or branches
   that GCC vectorises; only a block that holds an event is scanned again for its indices.
   Brian's template scans every neuron with a branch (one neuron per cycle). For groups
   without Brian refractoriness only. #}
{# USES_VARIABLES { N } #}
{% extends 'common_group.cpp' %}
{% block maincode %}
    //// MAIN CODE ////////////
    // scalar code
    const int _vectorisation_idx = -1;
    {{scalar_code|autoindent}}

    {% set _eventspace = get_array_name(eventspace_variable) %}

    long _count = 0;
    const size_t _block = 64;
    for(size_t _start=0; _start<N; _start+=_block)
    {
        const size_t _end = _start + _block < (size_t)N ? _start + _block : (size_t)N;
        char _any = 0;
        for(size_t _idx=_start; _idx<_end; _idx++)
        {
            const size_t _vectorisation_idx = _idx;
            {{vector_code|autoindent}}
            _any |= _cond;
        }
        if(_any)
        {
            for(size_t _idx=_start; _idx<_end; _idx++)
            {
                const size_t _vectorisation_idx = _idx;
                {{vector_code|autoindent}}
                if(_cond) {{_eventspace}}[_count++] = _idx;
            }
        }
    }
    {{_eventspace}}[N] = _count;
{% endblock %}

{% block after_code %}
{% set _eventspace = get_array_name(eventspace_variable) %}
{{_eventspace}}[N] = 0;  // Note that this is not an off-by-1-error: the array has N+1 elements
{% endblock %}
